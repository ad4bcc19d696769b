import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import undiciRequest from 'undici/lib/api/api-request.js';
import Pool from 'undici/lib/dispatcher/pool.js';

/**
 * The transport imports two of undici's private modules (bundle size: see transport.ts). Semver does
 * not cover them, so undici is pinned to one exact version, and these tests fail on an upgrade that
 * moves them or changes what the transport uses of them.
 */
const json = (path: string) => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as Record<string, any>;

describe('undici, whose private modules the transport imports', () => {
  it('is pinned to the exact installed version in package.json and package-lock.json', () => {
    const installed = json('../../node_modules/undici/package.json').version as string;
    const spec = json('../../package.json').dependencies.undici as string;
    expect(spec).toMatch(/^\d+\.\d+\.\d+$/);
    expect(spec).toBe(installed);
    const lock = json('../../package-lock.json');
    expect(lock.packages[''].dependencies.undici).toBe(spec);
    expect(lock.packages['node_modules/undici'].version).toBe(spec);
  });

  it('still has the pool and request the transport uses, with the answer shape it reads', async () => {
    const server = createServer((req, res) => {
      res.writeHead(200, { 'x-request-id': 'req-1', 'content-type': 'application/json' });
      res.end(JSON.stringify({ method: req.method, url: req.url }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { connections: 2, keepAliveTimeout: 1_000, connect: { timeout: 1_000 } });
    try {
      const response = await undiciRequest.call(pool, { method: 'GET', path: '/x?y=1', headers: {}, headersTimeout: 1_000, bodyTimeout: 1_000, signal: AbortSignal.timeout(1_000) });
      expect(response.statusCode).toBe(200);
      expect(response.headers['x-request-id']).toBe('req-1');
      expect(JSON.parse(await response.body.text())).toEqual({ method: 'GET', url: '/x?y=1' });
      // Byte-capped reads iterate the body.
      const again = await undiciRequest.call(pool, { method: 'GET', path: '/', headers: {} });
      const chunks: Uint8Array[] = [];
      for await (const chunk of again.body as AsyncIterable<Uint8Array>) chunks.push(chunk);
      expect(Buffer.concat(chunks).length).toBeGreaterThan(0);
    } finally {
      await pool.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
