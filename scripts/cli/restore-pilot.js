#!/usr/bin/env node
// `npx restore-pilot …`: the operator CLI (scripts/cli/main.ts), run from its ahead-of-time build;
// built.cjs rebuilds it first when it is missing or older than its sources.
const { builtCli, loadCli } = require('./built.cjs');

let loaded;
try {
  loaded = loadCli(builtCli());
} catch (error) {
  process.stderr.write(`restore-pilot: ${error.message}\n`);
  process.exit(1);
}
loaded.cli.main(process.argv.slice(2)).then((code) => {
  try {
    loaded.saveCache();
  } catch {
    // A read-only checkout runs without the cache: slower, not wrong.
  }
  process.exit(code);
});
