// How a function becomes one file; `npm run build` and `serverless package` both use this. Paths are
// relative to the repository root, where both run.
import { build } from 'esbuild';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The functions: every functions/<name>/index.ts. */
export function functionNames() {
  const dir = 'functions';
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'index.ts')))
    .map((d) => d.name);
}

export const nodeBundle = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, logLevel: 'warning' };

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

/** functions/<name>/index.ts → <outdir>/index.js (minified CommonJS exporting `handler`) and its source map. */
export async function bundleFunction(name, outdir) {
  await build({
    ...nodeBundle,
    minify: true,
    plugins: [withoutNonSimdParser],
    entryPoints: [join('functions', name, 'index.ts')],
    outfile: join(outdir, 'index.js'),
  });
}
