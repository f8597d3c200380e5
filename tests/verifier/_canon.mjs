import {readFileSync} from 'node:fs';
import jsonld from 'jsonld';
import {contextLoader} from './contexts.mjs';
const doc = JSON.parse(readFileSync(process.argv[2], 'utf8'));
delete doc.proof;
const out = await jsonld.canonize(doc, {algorithm: 'RDFC-1.0', format: 'application/n-quads', documentLoader: contextLoader, safe: true, rdfDirection: 'i18n-datatype'});
process.stdout.write(out);
