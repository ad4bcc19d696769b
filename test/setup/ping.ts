import { connect } from 'node:net';

/**
 * True when host:port answers PING with +PONG within timeoutMs. A raw socket rather than ioredis:
 * ioredis retries and queues, and discovery must decide in a few hundred milliseconds. A Redis that
 * wants a password answers -NOAUTH, which counts as no: the tests could not use it.
 */
export function pings(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let answer = '';
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
    socket.on('error', () => done(false));
    socket.on('close', () => done(false));
  });
}
