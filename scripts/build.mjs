// Bundles every function (functions/<name>/index.ts → dist/<name>/index.js) and the local-cloud CLI.
import { build } from 'esbuild';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const functions = existsSync('functions')
  ? readdirSync('functions', { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(join('functions', d.name, 'index.ts')))
  : [];

const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, logLevel: 'warning' };

await Promise.all([
  ...functions.map((fn) =>
    build({ ...common, minify: true, entryPoints: [join('functions', fn.name, 'index.ts')], outfile: join('dist', fn.name, 'index.js') }),
  ),
  build({ ...common, entryPoints: ['scripts/local-cloud/cli.ts'], outfile: 'dist/local-cloud.js' }),
  build({ ...common, entryPoints: ['scripts/demo/main.ts'], outfile: 'dist/demo.js' }),
]);
console.log(`built ${functions.length} function bundle(s), dist/local-cloud.js and dist/demo.js`);
