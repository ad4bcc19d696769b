import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleFunction } from '../bundle.mjs';
import { writeZip } from './zip';

/**
 * One zip per function for FunctionGraph's Node.js runtime: `index.js` (the minified bundle, exporting
 * `handler`) and its source map at the root, no node_modules. Returns each zip's path by function key.
 */
export async function packageFunctions(keys: string[], outdir: string): Promise<Map<string, string>> {
  await mkdir(outdir, { recursive: true });
  const built = await mkdtemp(join(tmpdir(), 'restore-pilot-package-'));
  try {
    const zips = new Map<string, string>();
    for (const key of keys) {
      const dir = join(built, key);
      await bundleFunction(key, dir);
      const zip = writeZip([
        { name: 'index.js', data: await readFile(join(dir, 'index.js')) },
        { name: 'index.js.map', data: await readFile(join(dir, 'index.js.map')) },
      ]);
      const path = join(outdir, `${key}.zip`);
      await writeFile(path, zip);
      zips.set(key, path);
    }
    return zips;
  } finally {
    await rm(built, { recursive: true, force: true });
  }
}
