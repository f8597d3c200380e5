#!/usr/bin/env node
// Plays the Learner Credential Wallet in the wallet hand-off tests: makes a
// did:key from a seed and signs a DID Authentication presentation answering a
// challenge, with Digital Bazaar's reference libraries.
//
// As the LCW does (digitalcredentials/learner-credential-wallet,
// app/lib/present.ts, createVerifiablePresentation): vc.createPresentation
// with the holder DID on VC 1.1 and vc.signPresentation with
// Ed25519Signature2020 (proofPurpose "authentication", the challenge, no
// domain). The "eddsa-rdfc-2022" suite signs a VC 2.0 presentation with a
// DataIntegrityProof instead, as newer wallets do.
//
// Usage: node wallet.mjs INPUT.json
//   INPUT = {"challenge": "...", "suite": "Ed25519Signature2020" |
//            "eddsa-rdfc-2022", "seedHex": "<64 hex>", "domain": "...",
//            "holder": "did:..."}
//   `holder` (optional) names another holder than the signing key's DID, to
//   test that an issuer refuses it; `credentials` (optional) are put in the
//   presentation as its verifiableCredential.
// Prints one JSON line {"did": "did:key:...", "presentation": {...}}.
import {readFileSync} from 'node:fs';

import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';
import {Ed25519VerificationKey2020} from
  '@digitalbazaar/ed25519-verification-key-2020';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';

import {contextLoader} from './contexts.mjs';

const documentLoader = contextLoader;

async function main() {
  const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  const seed = Uint8Array.from(Buffer.from(input.seedHex, 'hex'));
  const legacy = input.suite === 'Ed25519Signature2020';
  let suite;
  let did;
  if(legacy) {
    const probe = await Ed25519VerificationKey2020.generate({seed});
    did = `did:key:${probe.fingerprint()}`;
    const key = await Ed25519VerificationKey2020.generate({
      seed, controller: did, id: `${did}#${probe.fingerprint()}`,
    });
    suite = new Ed25519Signature2020({key});
  } else if(input.suite === 'eddsa-rdfc-2022') {
    const probe = await Ed25519Multikey.generate({seed});
    did = `did:key:${probe.publicKeyMultibase}`;
    const key = await Ed25519Multikey.generate({
      seed, controller: did, id: `${did}#${probe.publicKeyMultibase}`,
    });
    suite = new DataIntegrityProof({signer: key.signer(), cryptosuite: eddsaRdfc2022});
  } else {
    throw new Error(`unknown suite ${input.suite}`);
  }
  const presentation = vc.createPresentation({
    holder: input.holder || did, version: legacy ? 1.0 : 2.0,
    ...(input.credentials ? {verifiableCredential: input.credentials} : {}),
  });
  const signed = await vc.signPresentation({
    presentation,
    suite,
    challenge: input.challenge,
    ...(input.domain ? {domain: input.domain} : {}),
    documentLoader,
  });
  process.stdout.write(JSON.stringify({did, presentation: signed}) + '\n');
}

main().catch(error => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
