// Bundles every function (functions/<name>/index.ts → dist/<name>/index.js), the local-cloud CLI, the demo
// and the operator CLI (dist/cli/, see cli/built.cjs).
import { build } from 'esbuild';
import { join } from 'node:path';
import { bundleFunction, functionNames, nodeBundle } from './bundle.mjs';
import built from './cli/built.cjs';

const functions = functionNames();
await Promise.all([
  ...functions.map((name) => bundleFunction(name, join('dist', name))),
  build({ ...nodeBundle, entryPoints: ['scripts/local-cloud/cli.ts'], outfile: 'dist/local-cloud.js' }),
  build({ ...nodeBundle, entryPoints: ['scripts/demo/main.ts'], outfile: 'dist/demo.js' }),
  built.buildCli(),
]);
console.log(`built ${functions.length} function bundle(s), dist/local-cloud.js, dist/demo.js and dist/cli/restore-pilot.js`);
