import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pings } from './ping';

export interface PrivateRedis {
  url: string;
  port: number;
  /** Stops the server and removes its directory; safe to call twice. */
  stop(): Promise<void>;
}

/** The redis-server binary on this PATH, or undefined. Looked up by hand so a test can pass its own PATH. */
export function redisServerOnPath(path: string | undefined): string | undefined {
  for (const dir of (path ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; try the next directory
    }
  }
  return undefined;
}

/** A port nobody listens on right now (the kernel picks it). Another process may take it before us; start() retries. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `binary` on a free loopback port with a temporary directory, no RDB snapshots and no AOF,
 * so nothing outlives the run; extra arguments (e.g. --requirepass) are passed on.
 */
export async function startPrivateRedis(binary: string, extraArgs: string[] = []): Promise<PrivateRedis> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'restore-pilot-redis-'));
    const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
    const stop = stopper(child, dir);
    try {
      await waitForPong(child, port, extraArgs.includes('--requirepass'));
      return { url: `redis://127.0.0.1:${port}`, port, stop };
    } catch (error) {
      await stop();
      lastError = error as Error;
    }
  }
  throw lastError!;
}

function stopper(child: ChildProcess, dir: string): () => Promise<void> {
  // If the test run dies without its teardown, the server must not outlive it.
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);
  let stopped: Promise<void> | undefined;
  return () =>
    (stopped ??= new Promise<void>((resolve) => {
      process.off('exit', onExit);
      const finish = () => {
        clearTimeout(force);
        rmSync(dir, { recursive: true, force: true });
        resolve();
      };
      if (child.exitCode !== null || child.signalCode !== null) return finish();
      const force = setTimeout(() => child.kill('SIGKILL'), 2_000);
      child.once('exit', finish);
      child.kill('SIGTERM');
    }));
}

/** Resolves once the server answers; rejects with its own output if it exits first (port taken, bad flag). */
async function waitForPong(child: ChildProcess, port: number, needsPassword: boolean): Promise<void> {
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const deadline = Date.now() + 3_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}: ${output.trim().split('\n').slice(-3).join(' | ')}`);
    // A server with a password answers -NOAUTH, not +PONG; that it accepts connections is enough then.
    if (needsPassword ? /Ready to accept connections/.test(output) : await pings('127.0.0.1', port, 200)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`redis-server did not answer on 127.0.0.1:${port} within 3 s: ${output.trim().split('\n').slice(-3).join(' | ')}`);
}
