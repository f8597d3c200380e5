#!/usr/bin/env node
// Independent verifier for Cairn credentials: Digital Bazaar's reference
// libraries (jsonld.js in safe mode, rdf-canonize, eddsa-rdfc-2022 and
// Ed25519Signature2020), fully
// offline.
//
// Usage: node verify.mjs INPUT.json
//   INPUT = {"credential": {...}, "didDocuments": {"did:web:...": {...}},
//            "statusLists": {"https://.../status/1": {...}}}
//   didDocuments may also hold other controller documents (e.g. https ids);
//   statusLists are the BitstringStatusListCredentials the credential's
//   credentialStatus entries point to, as served. Optional: "jwt" (a VC-JWT to
//   verify instead of "credential"), "signatureOnly" (skip status) and "now".
// A credential with credentialStatus is checked with Digital Bazaar's
// vc-bitstring-status-list: each list credential's signature and issuer, then
// the credential's bit; a set revocation or suspension bit fails verification.
// Prints one JSON line {"verified": bool, "errors": [...], "status": {...}};
// exits 0 when verified, 1 when not, 2 on usage errors.
import {readFileSync} from 'node:fs';

import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {driver as didKeyDriver} from '@digitalbazaar/did-method-key';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {Ed25519Signature2018} from '@digitalbazaar/ed25519-signature-2018';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';
import {Ed25519VerificationKey2018} from
  '@digitalbazaar/ed25519-verification-key-2018';
import {Ed25519VerificationKey2020} from
  '@digitalbazaar/ed25519-verification-key-2020';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import * as jose from 'jose';
import {checkStatus as checkBitstringStatus} from
  '@digitalbazaar/vc-bitstring-status-list';

import {CONTEXTS} from './contexts.mjs';

// did:key resolves to a Multikey for Data Integrity proofs; a verifier of
// Ed25519Signature2020 (as the Learner Credential Wallet's) resolves it to an
// Ed25519VerificationKey2020, the only key type that suite accepts. Data
// Integrity accepts both, so the type follows the credential's own proof.
const didKeyMultikey = didKeyDriver();
didKeyMultikey.use({
  multibaseMultikeyHeader: 'z6Mk',
  fromMultibase: Ed25519Multikey.from,
});
const didKey2020 = didKeyDriver();
didKey2020.use({
  multibaseMultikeyHeader: 'z6Mk',
  fromMultibase: Ed25519VerificationKey2020.from,
});
// Ed25519Signature2018 (credentials from the JFF plugfests) accepts only an
// Ed25519VerificationKey2018, which did:key gives in base58.
const didKey2018 = didKeyDriver();
didKey2018.use({
  multibaseMultikeyHeader: 'z6Mk',
  fromMultibase: async ({publicKeyMultibase}) =>
    Ed25519VerificationKey2018.fromFingerprint({fingerprint: publicKeyMultibase}),
});

function fail(message) {
  process.stdout.write(JSON.stringify({verified: false, errors: [message]}) + '\n');
  process.exit(2);
}

function findMethod(document, url) {
  const candidates = [
    ...(document.verificationMethod || []),
    ...(document.assertionMethod || []),
    ...(document.authentication || []),
  ];
  const fragment = url.slice(url.indexOf('#'));
  return candidates.find(method => typeof method === 'object' &&
    (method.id === url || method.id === fragment));
}

function makeDocumentLoader(didDocuments, statusLists = {}, didKey) {
  return async url => {
    if(CONTEXTS.has(url)) {
      return {contextUrl: null, documentUrl: url, document: CONTEXTS.get(url)};
    }
    if(Object.hasOwn(statusLists, url)) {
      return {contextUrl: null, documentUrl: url, document: statusLists[url]};
    }
    if(url.startsWith('did:key:') && !url.includes('#')) {
      // A bare did:key as verificationMethod (1EdTech's CLR samples) names the
      // DID's one key: serve the document and that key as one object, listed
      // for assertions under the bare DID too.
      const document = await didKey.get({url});
      const [method] = document.verificationMethod;
      return {
        contextUrl: null, documentUrl: url,
        document: {
          ...document, ...method, id: url,
          assertionMethod: [...document.assertionMethod, url],
        },
      };
    }
    if(url.startsWith('did:key:')) {
      return {contextUrl: null, documentUrl: url, document: await didKey.get({url})};
    }
    const [base] = url.split('#');
    const document = didDocuments[base];
    if(document) {
      if(!url.includes('#')) {
        return {contextUrl: null, documentUrl: url, document};
      }
      const method = findMethod(document, url);
      if(method) {
        return {
          contextUrl: null,
          documentUrl: url,
          document: {'@context': document['@context'], ...method, id: url},
        };
      }
    }
    throw new Error(`Document not available offline: ${url}`);
  };
}

function messages(error) {
  if(!error) {
    return [];
  }
  const nested = Array.isArray(error.errors) ? error.errors.flatMap(messages) : [];
  const details = error.details ? ` ${JSON.stringify(error.details)}` : '';
  return [`${error.name || 'Error'}: ${error.message}${details}`, ...nested];
}

function didKeyFor(credential) {
  const proofs = [].concat(credential.proof || []);
  const types = new Set(proofs.map(proof => proof && proof.type));
  if(types.has('Ed25519Signature2018')) {
    return didKey2018;
  }
  return types.has('Ed25519Signature2020') ? didKey2020 : didKeyMultikey;
}

// A VC-JWT (OB 3.0 section 8.2): the key is the header's kid, looked up in the
// given documents, or the JWK the header carries.
async function verifyJwt(token, didDocuments) {
  const header = jose.decodeProtectedHeader(token);
  let key = jose.EmbeddedJWK;
  if(header.kid) {
    const [base] = header.kid.split('#');
    const method = didDocuments[base] && findMethod(didDocuments[base], header.kid);
    if(!method || !method.publicKeyJwk) {
      throw new Error(`No key for kid ${header.kid}`);
    }
    key = await jose.importJWK(method.publicKeyJwk, header.alg);
  }
  const {payload} = await jose.compactVerify(token, key);
  return JSON.parse(new TextDecoder().decode(payload));
}

async function main() {
  if(process.argv.length !== 3) {
    fail('usage: node verify.mjs INPUT.json');
  }
  let input;
  try {
    input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  } catch(error) {
    fail(`cannot read input: ${error.message}`);
  }
  if(!input || (typeof input.credential !== 'object' && !input.jwt)) {
    fail('input must be {"credential": {...}, "didDocuments": {...}}');
  }
  if(input.jwt) {
    try {
      await verifyJwt(input.jwt, input.didDocuments || {});
      process.stdout.write(JSON.stringify({verified: true, errors: []}) + '\n');
      process.exit(0);
    } catch(error) {
      process.stdout.write(
        JSON.stringify({verified: false, errors: messages(error)}) + '\n');
      process.exit(1);
    }
  }
  const status = {};
  // vc.verifyCredential refuses a credential with credentialStatus unless it
  // is given a checkStatus; the library's own reports a set bit as
  // {verified: true, status: true}, so a set bit is turned into a failure here.
  async function checkStatus(options) {
    const result = await checkBitstringStatus(options);
    if(!result.verified) {
      return result;
    }
    const set = [];
    for(const {credentialStatus, status: bit} of result.results) {
      status[credentialStatus.statusPurpose] = bit;
      if(bit) {
        set.push(credentialStatus.statusPurpose);
      }
    }
    if(set.length) {
      return {
        ...result,
        verified: false,
        error: new Error(`credential status is set: ${set.join(', ')}`),
      };
    }
    return result;
  }
  const result = await vc.verifyCredential({
    credential: input.credential,
    suite: [
      new DataIntegrityProof({cryptosuite: eddsaRdfc2022}),
      new Ed25519Signature2020(),
      new Ed25519Signature2018(),
    ],
    documentLoader: makeDocumentLoader(
      input.didDocuments || {}, input.statusLists || {},
      didKeyFor(input.credential)),
    // signatureOnly: the proofs alone, for credentials from elsewhere whose
    // status lists cannot be fetched offline and whose dates may have passed.
    checkStatus: input.signatureOnly ? async () => ({verified: true}) : checkStatus,
    ...(input.now ? {now: input.now} : {}),
  });
  const errors = [
    ...messages(result.error),
    ...(result.results || []).flatMap(r => messages(r.error)),
    ...messages(result.statusResult && result.statusResult.error),
  ];
  const verified = result.verified === true;
  process.stdout.write(
    JSON.stringify({
      verified,
      errors: [...new Set(errors)],
      ...(input.credential.credentialStatus ? {status} : {}),
    }) + '\n');
  process.exit(verified ? 0 : 1);
}

main().catch(error => {
  process.stdout.write(
    JSON.stringify({verified: false, errors: messages(error)}) + '\n');
  process.exit(1);
});
