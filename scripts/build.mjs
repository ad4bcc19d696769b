// Bundles every function (functions/<name>/index.ts → dist/<name>/index.js) and the local-cloud CLI.
import { build } from 'esbuild';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const functions = existsSync('functions')
  ? readdirSync('functions', { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(join('functions', d.name, 'index.ts')))
  : [];

/**
 * undici carries its HTTP parser twice, as WebAssembly with and without SIMD (70 KB each), and loads the
 * plain one only when SIMD fails to compile. Node.js 20 on FunctionGraph's x86_64 and arm64 hosts has
 * SIMD, so function bundles leave the fallback out; if it were ever needed the call fails saying so.
 */
const withoutNonSimdParser = {
  name: 'without-non-simd-llhttp',
  setup(build) {
    build.onResolve({ filter: /\/llhttp\/llhttp-wasm\.js$/ }, () => ({ path: 'llhttp-wasm', namespace: 'omitted' }));
    build.onLoad({ filter: /.*/, namespace: 'omitted' }, () => ({
      contents: "throw new Error('this bundle omits undici\\'s non-SIMD HTTP parser; run it on Node.js 20 with WebAssembly SIMD (or unset UNDICI_NO_WASM_SIMD)')",
      loader: 'js',
    }));
  },
};

const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, logLevel: 'warning' };

await Promise.all([
  ...functions.map((fn) =>
    build({ ...common, minify: true, plugins: [withoutNonSimdParser], entryPoints: [join('functions', fn.name, 'index.ts')], outfile: join('dist', fn.name, 'index.js') }),
  ),
  build({ ...common, entryPoints: ['scripts/local-cloud/cli.ts'], outfile: 'dist/local-cloud.js' }),
  build({ ...common, entryPoints: ['scripts/demo/main.ts'], outfile: 'dist/demo.js' }),
]);
console.log(`built ${functions.length} function bundle(s), dist/local-cloud.js and dist/demo.js`);
