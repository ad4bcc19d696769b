// Builds what `npm run bench` runs, after `npm run build` made the function bundles:
//   dist/bench/main.js, dist/bench/worker.js          the harness and its child processes
//   dist/bench/baseline/{on-backup-upload,poll-jobs}.js  the functions with the HcClient transport
//   dist/bench/client-{ours,hc}.js                    the API client with either transport
// The baselines are built with the functions' own options (scripts/bundle.mjs); the only difference is
// that shared/huawei/transport.ts is replaced by baseline/hc-transport.ts.
import { build } from 'esbuild';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { functionBundle as functionOptions } from '../bundle.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const out = join(root, 'dist/bench');
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' };
const functionBundle = { ...functionOptions, logLevel: 'warning' };

const transport = join(root, 'shared/huawei/transport.ts');
const hcTransport = join(here, 'baseline/hc-transport.ts');
/** Resolves `./transport` from shared/huawei to the HcClient transport. */
const useHcTransport = {
  name: 'hc-transport',
  setup(b) {
    b.onResolve({ filter: /(^|\/)transport(\.ts)?$/ }, (args) => {
      if (!args.importer || args.kind === 'entry-point') return undefined;
      const target = resolve(dirname(args.importer), args.path);
      return target === transport || `${target}.ts` === transport ? { path: hcTransport } : undefined;
    });
  },
};

await Promise.all([
  build({ ...common, sourcemap: true, entryPoints: [join(here, 'main.ts')], outfile: join(out, 'main.js') }),
  // The worker loads the bundles under test at run time; it must stay small so its RSS is theirs.
  build({ ...common, entryPoints: [join(here, 'worker.ts')], outfile: join(out, 'worker.js') }),
  ...['on-backup-upload', 'poll-jobs'].map((fn) =>
    build({ ...functionBundle, entryPoints: [join(here, 'baseline', `${fn}.ts`)], outfile: join(out, 'baseline', `${fn}.js`), plugins: [...functionOptions.plugins, useHcTransport] }),
  ),
  build({ ...functionBundle, entryPoints: [join(here, 'client-entry.ts')], outfile: join(out, 'client-ours.js') }),
  build({ ...functionBundle, entryPoints: [join(here, 'client-entry.ts')], outfile: join(out, 'client-hc.js'), plugins: [...functionOptions.plugins, useHcTransport] }),
]);
