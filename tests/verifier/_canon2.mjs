import {readFileSync} from 'node:fs';
import canonize from 'rdf-canonize';
const nq = readFileSync(process.argv[2], 'utf8');
const ds = canonize.NQuads.parse(nq);
process.stdout.write(await canonize.canonize(ds, {algorithm: 'RDFC-1.0'}));
