import { fork, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { WorkerJob } from './worker';

export const DIST = join(__dirname, '..');
export const WORKER = join(__dirname, 'worker.js');

/** The child's complaint, or how it ended, with the tail of its stderr. */
function childFailure(what: string, code: number | null, signal: string | null, stderr: string): Error {
  return new Error(`${what}: child exited ${signal ?? code}${stderr ? `\n${stderr.slice(-2000)}` : ''}`);
}

/** A hung child is killed after this long, and the run counts as broken. */
const CHILD_TIMEOUT_MS = 180_000;

/** Forks the worker for one job and resolves with its single result. */
export function runWorker<T>(job: WorkerJob, nodeFlags: string[] = []): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(WORKER, [], { execArgv: nodeFlags, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    let settled = false;
    const timer = setTimeout(() => {
      reject(new Error(`${job.kind} worker: no answer after ${CHILD_TIMEOUT_MS / 1000} s`));
      child.kill('SIGKILL');
    }, CHILD_TIMEOUT_MS);
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('message', (message: { result?: T; error?: string }) => {
      settled = true;
      clearTimeout(timer);
      if (message.error) reject(new Error(`${job.kind} worker: ${message.error}`));
      else resolve(message.result as T);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (!settled) reject(childFailure(`${job.kind} worker`, code, signal, stderr));
    });
    child.send(job);
  });
}

/** A worker kept alive across several requests (poll ticks): send a message, await the answer. */
export interface LiveWorker {
  request<T>(message: object): Promise<T>;
  stop(): Promise<void>;
}

/**
 * `heapMb` caps V8's heap as a function's memory size caps the process on FunctionGraph: on a big
 * machine V8 otherwise lets garbage pile up, and the peak RSS says little about whether the function fits.
 */
export function startWorker(job: WorkerJob, { heapMb }: { heapMb?: number } = {}): Promise<LiveWorker> {
  const child: ChildProcess = fork(WORKER, [], { execArgv: heapMb ? [`--max-old-space-size=${heapMb}`] : [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let pending: { resolve: (value: unknown) => void; reject: (error: Error) => void } | undefined;
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  child.on('exit', (code, signal) => pending?.reject(childFailure(`${job.kind} worker`, code, signal, stderr)));
  child.on('message', (message: Record<string, unknown>) => {
    const waiting = pending;
    pending = undefined;
    if (typeof message.error === 'string') waiting?.reject(new Error(`${job.kind} worker: ${message.error}`));
    else waiting?.resolve(message);
  });
  // A tick may use its whole invocation (the poller's deployed timeout is 300 s): it is hung only after that.
  const timeoutMs = job.kind === 'poll' ? Math.max(CHILD_TIMEOUT_MS, job.invocationMs + 30_000) : CHILD_TIMEOUT_MS;
  const request = <T>(message: object) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending = undefined;
        reject(new Error(`${job.kind} worker: no answer after ${timeoutMs / 1000} s`));
        child.kill('SIGKILL');
      }, timeoutMs);
      pending = {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      child.send(message);
    });
  return request<{ ready: boolean }>(job).then(() => ({
    request,
    stop: async () => {
      if (child.exitCode === null) child.send({ exit: true });
      await exited;
    },
  }));
}

export interface ColdStartSample {
  /** Parent-side: spawn to exit of the child process. */
  wallMs: number;
  /** Child-side, from the child's time origin: when our code started, require, first event. */
  bootMs: number;
  requireMs: number;
  eventMs: number;
  /** wallMs less require and first event: node starting until our script runs, and its teardown after exit(). */
  restMs: number;
  maxRssKb: number;
  result?: unknown;
}

/**
 * Node's own `-e` script, identical for bare node and for a bundle: with BENCH_BUNDLE unset it only
 * reports, so the difference between the two is the bundle's load and first event. The result goes
 * to fd 3, leaving stdout and stderr to whatever the bundle prints.
 */
const COLD_START_SCRIPT = `
const fs = require('fs');
// VmHWM, not getrusage's maxrss: Linux carries maxrss across exec, so it would report the bench's own size.
const peakRssKb = () => { try { return Number(/VmHWM:\\s+(\\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]); } catch { return process.resourceUsage().maxRSS; } };
const boot = performance.now();
let loaded = boot, answered = boot, result;
(async () => {
  const bundle = process.env.BENCH_BUNDLE;
  if (bundle) {
    const m = require(bundle);
    loaded = performance.now();
    const quiet = () => undefined;
    result = await m.handler(JSON.parse(process.env.BENCH_EVENT), {
      getRequestID: () => 'bench-cold-start',
      getRemainingTimeInMilliSeconds: () => 30000,
      getLogger: () => ({ info: quiet, warn: quiet, error: quiet }),
    });
    answered = performance.now();
  }
  fs.writeSync(3, JSON.stringify({ bootMs: boot, requireMs: loaded - boot, eventMs: answered - loaded, maxRssKb: peakRssKb(), result }));
  process.exit(0);
})().catch((error) => {
  fs.writeSync(3, JSON.stringify({ error: String((error && error.stack) || error) }));
  process.exit(1);
});
`;

/** One fresh `node` process: bare (bundle undefined) or loading the bundle and answering `event`. */
export function coldStart(bundle: string | undefined, event: unknown, env: Record<string, string>, nodeFlags: string[] = []): Promise<ColdStartSample> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...nodeFlags, '-e', COLD_START_SCRIPT], {
      env: { ...process.env, ...env, BENCH_BUNDLE: bundle ?? '', BENCH_EVENT: JSON.stringify(event) },
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    let report = '';
    let output = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => (report += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const wallMs = performance.now() - started;
      clearTimeout(timer);
      let parsed: (Omit<ColdStartSample, 'wallMs' | 'restMs'> & { error?: string }) | undefined;
      try {
        parsed = JSON.parse(report);
      } catch {
        parsed = undefined;
      }
      if (code !== 0 || !parsed || parsed.error) {
        reject(new Error(`cold start of ${bundle ?? 'bare node'} failed (exit ${signal ?? code}): ${parsed?.error ?? ''}\n${output.slice(-2000)}`));
        return;
      }
      resolve({ wallMs, restMs: wallMs - parsed.requireMs - parsed.eventMs, ...parsed });
    });
  });
}
