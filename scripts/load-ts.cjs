// Loads a TypeScript entry point as CommonJS, bundled in memory by esbuild. The Serverless provider is
// started by a tool that only knows JavaScript and shares TypeScript modules with the functions; this
// keeps it runnable right after `npm ci`, no build step. (The operator CLI, which must start fast, is
// built ahead of time instead: scripts/cli/built.cjs.)
const Module = require('node:module');
const path = require('node:path');
const { buildSync } = require('esbuild');

exports.loadTypeScript = function loadTypeScript(entry) {
  const filename = entry.replace(/\.ts$/, '.bundle.js');
  const { outputFiles } = buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    write: false,
    outfile: filename,
    external: ['esbuild'],
    logLevel: 'warning',
  });
  const loaded = new Module(filename, module);
  loaded.filename = filename;
  loaded.paths = Module._nodeModulePaths(path.dirname(entry));
  loaded._compile(outputFiles[0].text, filename);
  return loaded.exports;
};
