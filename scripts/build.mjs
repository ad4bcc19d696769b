// Bundles every function (functions/<name>/index.ts → dist/<name>/index.js), the local-cloud CLI and the demo.
import { build } from 'esbuild';
import { join } from 'node:path';
import { bundleFunction, functionNames, nodeBundle } from './bundle.mjs';

const functions = functionNames();
await Promise.all([
  ...functions.map((name) => bundleFunction(name, join('dist', name))),
  build({ ...nodeBundle, entryPoints: ['scripts/local-cloud/cli.ts'], outfile: 'dist/local-cloud.js' }),
  build({ ...nodeBundle, entryPoints: ['scripts/demo/main.ts'], outfile: 'dist/demo.js' }),
]);
console.log(`built ${functions.length} function bundle(s), dist/local-cloud.js and dist/demo.js`);
