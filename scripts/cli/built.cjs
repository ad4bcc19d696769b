// The operator CLI is built ahead of time (dist/cli/restore-pilot.js, by `npm ci`'s prepare and by
// `npm run build`) so that `npx restore-pilot` starts without esbuild: bundling on every call cost ~2 s.
// Next to the bundle go the list of our source files it was built from — the bin compares their
// mtimes with the bundle's (a few stats, ~1 ms) so an edit or a `git pull` never runs a stale CLI —
// and V8's code cache for it, made by the first run.
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

const ROOT = path.resolve(__dirname, '../..');
const OUT = path.join(ROOT, 'dist/cli/restore-pilot.js');
const INPUTS = path.join(ROOT, 'dist/cli/inputs.json');
const CODE_CACHE = path.join(ROOT, 'dist/cli/restore-pilot.cache');

/** Writes through a temporary file and a rename: test files run the CLI in parallel, each may rebuild. */
function writeAtomically(file, text) {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, text);
  fs.renameSync(temporary, file);
}

/** Built as the functions are (scripts/bundle.mjs: minified, unused parts of undici left out). */
async function buildCli() {
  // Required here, not at the top: the bin loads this file on every call and must not load esbuild.
  const { build } = require('esbuild');
  const { functionBundle } = await import('../bundle.mjs');
  const { outputFiles, metafile } = await build({
    ...functionBundle,
    sourcemap: false,
    entryPoints: [path.join(ROOT, 'scripts/cli/main.ts')],
    write: false,
    metafile: true,
    outfile: OUT,
    absWorkingDir: ROOT,
  });
  // Our files only (a dependency changes with `npm ci`, which rebuilds), not the plugin's stand-ins.
  const sources = Object.keys(metafile.inputs).filter((input) => !input.split('/').includes('node_modules') && fs.existsSync(path.join(ROOT, input)));
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  writeAtomically(INPUTS, `${JSON.stringify(sources)}\n`);
  // V8 checks a cache against the source's length only: one made for the old bundle must go.
  fs.rmSync(CODE_CACHE, { force: true });
  writeAtomically(OUT, outputFiles[0].text);
}

/** Why the built CLI cannot be run as it is, or undefined when it is current. */
function staleness() {
  if (!fs.existsSync(OUT) || !fs.existsSync(INPUTS)) return 'it has not been built';
  const builtAt = fs.statSync(OUT).mtimeMs;
  for (const source of JSON.parse(fs.readFileSync(INPUTS, 'utf8'))) {
    const stat = fs.statSync(path.join(ROOT, source), { throwIfNoEntry: false });
    if (!stat || stat.mtimeMs > builtAt) return `${source} changed since it was built`;
  }
  return undefined;
}

/**
 * The path of a current build of the CLI. A missing or stale build (a clone installed with
 * --ignore-scripts, sources edited or pulled since) is rebuilt once, saying so on stderr; without
 * esbuild (a production install) a stale build runs with a warning, a missing one is an error that
 * says how to build it.
 */
async function builtCli() {
  const why = staleness();
  if (!why) return OUT;
  try {
    await buildCli();
    process.stderr.write(`restore-pilot: built ${path.relative(ROOT, OUT)} (${why}; \`npm run build\` does this ahead of time)\n`);
  } catch (error) {
    if (error.code !== 'MODULE_NOT_FOUND') throw error;
    if (!fs.existsSync(OUT)) throw new Error(`${path.relative(ROOT, OUT)} is missing and esbuild is not installed: run \`npm ci\` (or \`npm run build\`) in ${ROOT}`);
    process.stderr.write(`restore-pilot: warning: ${why} and esbuild is not installed to rebuild it\n`);
  }
  return OUT;
}

/**
 * Loads the bundle as node's require() would, but compiled with V8's code cache: compiling 650 KB of
 * JavaScript is a good part of a call's start-up. Returns its exports and `saveCache`, to call once the
 * command ran, so the cache also holds the functions the command compiled; it writes only when there
 * was no usable cache.
 */
function loadCli(file) {
  const cachedData = fs.existsSync(CODE_CACHE) ? fs.readFileSync(CODE_CACHE) : undefined;
  const script = new vm.Script(Module.wrap(fs.readFileSync(file, 'utf8')), { filename: file, cachedData });
  const loaded = new Module(file, module);
  loaded.filename = file;
  script.runInThisContext()(loaded.exports, Module.createRequire(file), loaded, file, path.dirname(file));
  const saveCache = () => {
    if (!cachedData || script.cachedDataRejected) writeAtomically(CODE_CACHE, script.createCachedData());
  };
  return { cli: loaded.exports, saveCache };
}

module.exports = { buildCli, builtCli, loadCli, CLI_BUNDLE: OUT };

// `node scripts/cli/build-cli.cjs`: npm's prepare step.
// An install without devDependencies (no esbuild) must not fail here: the bin then says what to do.
if (require.main === module) {
  buildCli().catch((error) => {
    if (error.code === 'MODULE_NOT_FOUND') {
      process.stderr.write('restore-pilot: esbuild is not installed; the operator CLI was not built (npm ci with devDependencies builds it)\n');
      return;
    }
    process.stderr.write(`${error.stack ?? error}\n`);
    process.exit(1);
  });
}
