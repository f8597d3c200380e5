#!/usr/bin/env node
// Signs a credential with Digital Bazaar's reference libraries (vc.issue with
// the eddsa-rdfc-2022 cryptosuite), for the issuing benchmark's comparison.
//
// Usage: node sign.mjs INPUT.json
//   INPUT = {"credential": {...}, "seedHex": "...", "created": "...Z",
//            "seconds": 3}
// The key is a did:key made from the seed, as Cairn's embedded default does.
// Prints one JSON line {"signed": {...}, "medianMs": n, "samples": n}.
import {readFileSync} from 'node:fs';
import {performance} from 'node:perf_hooks';

import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';

import {contextLoader} from './contexts.mjs';

const documentLoader = contextLoader;

async function main() {
  const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  const seed = Uint8Array.from(Buffer.from(input.seedHex, 'hex'));
  const probe = await Ed25519Multikey.generate({seed});
  const did = `did:key:${probe.publicKeyMultibase}`;
  const keyPair = await Ed25519Multikey.generate({
    seed, controller: did, id: `${did}#${probe.publicKeyMultibase}`,
  });
  const sign = () => vc.issue({
    credential: structuredClone(input.credential),
    suite: new DataIntegrityProof({
      signer: keyPair.signer(), cryptosuite: eddsaRdfc2022, date: input.created,
    }),
    documentLoader,
  });
  const signed = await sign();
  const samples = [];
  const deadline = performance.now() + 1000 * (input.seconds || 3);
  while(performance.now() < deadline || samples.length < 5) {
    const start = performance.now();
    await sign();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const medianMs = samples[Math.floor(samples.length / 2)];
  process.stdout.write(
    JSON.stringify({signed, medianMs, samples: samples.length}) + '\n');
}

main().catch(error => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
