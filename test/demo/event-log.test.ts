import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * `npm start | cat`: the whole demo, off a terminal, as a CI log shows it. It runs in real time (its
 * local DRS finishes jobs in about a second), so this is the one slow test of the suite, about 30 s.
 */

/** What `npm start` prints before the demo's first line: npm's banners for start and build, and the build's line. */
const NPM_LINES = 9;
const work = mkdtempSync(join(tmpdir(), 'rp-demo-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm start, piped', () => {
  it('an append-only log under 60 lines with npm\'s own, ending in a compact final state', async () => {
    const demo = join(work, 'demo.js');
    // Bundled like `npm run build` bundles it, outside dist/: the CLI tests run the build there.
    await build({ entryPoints: [resolve(__dirname, '../../scripts/demo/main.ts')], outfile: demo, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' });
    const { code, out } = await new Promise<{ code: number; out: string }>((done) => {
      // In a folder of its own: the demo writes its file store under ./.state. The local cloud loads
      // esdk-obs-nodejs at run time (its OBS signature check), from the project's node_modules.
      const env = { PATH: process.env.PATH, NODE_PATH: resolve(__dirname, '../../node_modules') };
      execFile(process.execPath, [demo], { cwd: work, env, timeout: 90_000 }, (error, stdout, stderr) => done({ code: error ? Number(error.code) : 0, out: stdout + stderr }));
    });
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines.length + NPM_LINES).toBeLessThan(60);
    expect(out).not.toContain('\x1b');
    const final = lines.indexOf('final state (restored files are listed above):');
    expect(final).toBeGreaterThan(0);
    const after = lines.slice(final).join('\n');
    expect(after).toMatch(/database ERP: restored to LSN \d+ by .*; complete: the last backup was restored/);
    expect(after).toMatch(/database Sales: restored to LSN \d+ .*; complete/);
    expect(after).toContain('· not needed'); // the differential and the later full stay, with why
    expect(after).not.toContain('✓ restored');
    // Every restore is in the log once, above.
    expect(lines.filter((l) => l.startsWith('restored  ')).length).toBe(12);
    expect(lines.at(-1)).toMatch(/^Demo done: 12 DRS restore jobs, \d+ SMN messages\.$/);
  }, 120_000);
});
