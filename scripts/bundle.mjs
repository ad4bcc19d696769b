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
 * Parts of undici the functions never run, left out of their bundles (measured by `npm run bench`):
 * - its HTTP parser without WebAssembly SIMD (70 KB), loaded only when SIMD fails to compile; Node.js
 *   20 on FunctionGraph's x86_64 and arm64 hosts has SIMD;
 * - its HTTP/2 client, which loads node:http2 at start-up; our pools never negotiate HTTP/2.
 * Each is replaced by a module that fails saying what was left out, should it ever be reached.
 */
const OMITTED = [
  { filter: /\/llhttp\/llhttp-wasm\.js$/, name: "undici's non-SIMD HTTP parser", hint: 'run on Node.js 20 with WebAssembly SIMD (or unset UNDICI_NO_WASM_SIMD)' },
  { filter: /\/dispatcher\/client-h2\.js$/, name: "undici's HTTP/2 client", hint: 'the transport speaks HTTP/1.1 only (allowH2 is off)' },
];
const omitUnusedUndici = {
  name: 'omit-unused-undici',
  setup(build) {
    OMITTED.forEach((part, index) => {
      build.onResolve({ filter: part.filter }, () => ({ path: String(index), namespace: 'omitted' }));
    });
    build.onLoad({ filter: /.*/, namespace: 'omitted' }, ({ path }) => {
      const part = OMITTED[Number(path)];
      return { contents: `throw new Error(${JSON.stringify(`this bundle leaves out ${part.name}: ${part.hint}`)})`, loader: 'js' };
    });
  },
};

/** How every function bundle is built (the bench builds its baseline the same way). */
export const functionBundle = { ...nodeBundle, minify: true, plugins: [omitUnusedUndici] };

/** functions/<name>/index.ts → <outdir>/index.js (minified CommonJS exporting `handler`) and its source map. */
export async function bundleFunction(name, outdir) {
  await build({
    ...functionBundle,
    entryPoints: [join('functions', name, 'index.ts')],
    outfile: join(outdir, 'index.js'),
  });
}
