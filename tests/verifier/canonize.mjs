#!/usr/bin/env node
// Canonical N-Quads of JSON-LD documents as the eddsa-rdfc-2022 reference
// makes them (jsonld.js toRDF with rdfDirection "i18n-datatype", safe mode,
// then rdf-canonize RDFC-1.0), offline.
//
// Usage: node canonize.mjs INPUT.json
//   INPUT = {"documents": [{...}, ...]}
// Prints one JSON line {"results": [{"nquads": "..."} or {"error": "..."}]}.
import {readFileSync} from 'node:fs';

import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

import {contextLoader} from './contexts.mjs';

const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const results = [];
for(const document of input.documents) {
  try {
    const nquads = await eddsaRdfc2022.canonize(
      document, {documentLoader: contextLoader});
    results.push({nquads});
  } catch(error) {
    results.push({error: `${error.name}: ${error.message}`});
  }
}
process.stdout.write(JSON.stringify({results}) + '\n');
