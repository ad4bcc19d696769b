import { startLocalCloud } from './server';

/** `node dist/local-cloud.js [--port 9000]`: runs the local cloud until Ctrl-C and prints the env to point functions at it. */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const portArg = args.indexOf('--port');
  const port = portArg >= 0 ? Number(args[portArg + 1]) : 9000;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got ${args[portArg + 1]}`);
  const cloud = await startLocalCloud({ port });
  process.stdout.write(`local cloud listening on ${cloud.url}\nPoint restore-pilot at it with:\n`);
  for (const [name, value] of Object.entries(cloud.env())) process.stdout.write(`  export ${name}=${value}\n`);
  let seen = 0;
  let pages = 0;
  setInterval(() => {
    for (; seen < cloud.requests.length; seen++) {
      const r = cloud.requests[seen]!;
      process.stdout.write(`${new Date().toISOString()} ${r.status} ${r.operation} ${r.method} ${r.path}\n`);
    }
    for (; pages < cloud.smn.messages.length; pages++) {
      const m = cloud.smn.messages[pages]!;
      process.stdout.write(`--- SMN page to ${m.topicUrn}\n${m.subject ?? ''}\n${m.message}\n---\n`);
    }
  }, 250).unref();
  const stop = () => void cloud.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await new Promise(() => undefined);
}

main().catch((error: unknown) => {
  process.stderr.write(`local cloud: ${(error as Error).message}\n`);
  process.exit(1);
});
