import type { FunctionGraphContext, FunctionGraphLogger } from '../functiongraph/context';
import { redact } from './redact';
import type { Settings } from '../settings';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

/** Where finished JSON lines go: the FunctionGraph context logger, stdout, or a test's array. */
export type LogSink = (level: LogLevel, line: string) => void;

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  /** A logger whose lines all carry `fields` as well. */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  sink?: LogSink;
  level?: LogLevel;
  fields?: LogFields;
  now?: () => Date;
}

export const stdoutSink: LogSink = (level, line) => {
  (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(`${line}\n`);
};

export function contextSink(logger: FunctionGraphLogger): LogSink {
  return (level, line) => {
    if (level === 'debug') (logger.debug ?? logger.info).call(logger, line);
    else logger[level](line);
  };
}

/** One JSON line per event: time, level, event, then the fields, all passed through redaction. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const sink = options.sink ?? stdoutSink;
  const threshold = LEVELS[options.level ?? 'info'];
  const now = options.now ?? (() => new Date());
  const base = options.fields ?? {};

  const write = (level: LogLevel, event: string, fields?: LogFields) => {
    if (LEVELS[level] < threshold) return;
    const record = redact({ time: now().toISOString(), level, event, ...base, ...fields });
    sink(level, JSON.stringify(record));
  };

  return {
    debug: (event, fields) => write('debug', event, fields),
    info: (event, fields) => write('info', event, fields),
    warn: (event, fields) => write('warn', event, fields),
    error: (event, fields) => write('error', event, fields),
    child: (fields) => createLogger({ ...options, fields: { ...base, ...fields } }),
  };
}

function parseLevel(value: string | undefined): LogLevel {
  return value && value in LEVELS ? (value as LogLevel) : 'info';
}

/** The logger for one invocation: the context's logger when the platform gives one, its request id on every line. */
export function loggerForInvocation(context: FunctionGraphContext | undefined, env: Settings = process.env): Logger {
  let sink: LogSink = stdoutSink;
  try {
    const platformLogger = context?.getLogger?.();
    if (platformLogger) sink = contextSink(platformLogger);
  } catch {
    // A context without a working logger still gets stdout.
  }
  let requestId: string | undefined;
  try {
    requestId = context?.getRequestID?.();
  } catch {
    requestId = undefined;
  }
  return createLogger({ sink, level: parseLevel(env.LOG_LEVEL), fields: requestId ? { requestId } : {} });
}
