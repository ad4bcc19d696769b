#!/usr/bin/env node
// `npx restore-pilot …`: the operator CLI (scripts/cli/main.ts), run from its ahead-of-time build;
// built.cjs rebuilds it first when it is missing or older than its sources.
const v8 = require('node:v8');
const { builtCli, loadCli } = require('./built.cjs');

// WebAssembly (undici's HTTP parser) runs on V8's baseline compiler only: a call makes a few requests,
// and without this node's exit waits ~150 ms for the optimising compile it would never use (measured
// by `npm run bench`, section 5). Set before anything compiles WebAssembly.
v8.setFlagsFromString('--liftoff-only');

async function run() {
  let loaded;
  try {
    loaded = loadCli(await builtCli());
  } catch (error) {
    process.stderr.write(`restore-pilot: ${error.message}\n`);
    return 1;
  }
  const code = await loaded.cli.main(process.argv.slice(2));
  try {
    loaded.saveCache();
  } catch {
    // A read-only checkout runs without the cache: slower, not wrong.
  }
  return code;
}

// Exit once stdout has taken everything: to a pipe it writes asynchronously, and exiting at once cuts
// a long `status --json` short at 64 KiB boundaries. Exiting (not waiting for the event loop to empty)
// keeps a lingering connection from holding the operator's shell.
run().then((code) => process.stdout.write('', () => process.exit(code)));
