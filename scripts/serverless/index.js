// Serverless Framework loads plugins with require(). The provider is TypeScript that shares the API
// client with the functions, so it is bundled with esbuild here, in memory, each time it loads.
const Module = require('node:module');
const path = require('node:path');
const { buildSync } = require('esbuild');

const filename = path.join(__dirname, 'plugin.bundle.js');
const { outputFiles } = buildSync({
  entryPoints: [path.join(__dirname, 'plugin.ts')],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  write: false,
  outfile: filename,
  external: ['esbuild'],
  logLevel: 'warning',
});
const plugin = new Module(filename, module);
plugin.filename = filename;
plugin.paths = Module._nodeModulePaths(__dirname);
plugin._compile(outputFiles[0].text, filename);
module.exports = plugin.exports.HuaweiProvider;
