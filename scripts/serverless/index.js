// Serverless Framework loads plugins with require(); the provider is TypeScript (see ../load-ts.cjs).
const path = require('node:path');
const { loadTypeScript } = require('../load-ts.cjs');

module.exports = loadTypeScript(path.join(__dirname, 'plugin.ts')).HuaweiProvider;
