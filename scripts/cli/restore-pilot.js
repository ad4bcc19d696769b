#!/usr/bin/env node
// `npx restore-pilot …`: the operator CLI (scripts/cli/main.ts).
const path = require('node:path');
const { loadTypeScript } = require('../load-ts.cjs');

loadTypeScript(path.join(__dirname, 'main.ts'))
  .main(process.argv.slice(2))
  .then((code) => process.exit(code));
