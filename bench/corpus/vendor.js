'use strict';
/**
 * Prepares the real-code corpus as one workspace, so that ElixirScope instruments the libraries
 * themselves (node_modules is never instrumented):
 *
 *   <destDir>/package.json            { "name": "elixirscope-corpus", "private": true }
 *   <destDir>/vendor/<pkg>/...        each package's CommonJS runtime files and its package.json
 *   <destDir>/vendor/node_modules     -> . (so a vendored package's bare require of another vendored
 *                                      package resolves, e.g. markdown-it -> entities; Node follows
 *                                      the link to the real path, which is part of the workspace)
 *   <destDir>/drivers/<pkg>.js        one deterministic driver per package (requires ../vendor/<pkg>)
 *   <destDir>/drivers/lib/common.js   the drivers' helpers (scale knob, PRNG, checksum)
 *
 * The files are copied from the repository's node_modules, unchanged.
 */
const fs = require('fs');
const path = require('path');

const REPO = path.resolve(__dirname, '..', '..');
const NODE_MODULES = path.join(REPO, 'node_modules');

/**
 * What each package needs at run time (paths relative to the package root; folders are copied
 * recursively, keeping .js/.cjs/.json files only). `deps` are other vendored packages it requires,
 * `reads` packages whose files its driver parses as input (vendored too, without their driver).
 */
const PACKAGES = {
  acorn: { files: ['dist/acorn.js'], reads: ['lodash', 'marked', 'semver'] },
  marked: { files: ['lib/marked.cjs'] },
  'js-yaml': { files: ['index.js', 'lib'] },
  semver: { files: ['index.js', 'classes', 'functions', 'internal', 'ranges'] },
  lodash: { files: ['lodash.js'] },
  esprima: { files: ['dist/esprima.js'], reads: ['lodash', 'papaparse', 'semver'] },
  dayjs: { files: ['dayjs.min.js', 'plugin/utc.js', 'plugin/advancedFormat.js', 'plugin/customParseFormat.js'] },
  immer: { files: ['dist/cjs/index.js', 'dist/cjs/immer.cjs.development.js', 'dist/cjs/immer.cjs.production.js'] },
  'markdown-it': { files: ['dist/index.cjs.js'], deps: ['entities', 'linkify-it', 'mdurl', 'punycode.js', 'uc.micro'] },
  papaparse: { files: ['papaparse.js'] },
  typescript: { files: ['lib/typescript.js'], optional: true },
};
/** Dependencies of vendored packages: vendored the same way, without a driver of their own. */
const DEPENDENCIES = {
  entities: { files: ['lib'] },
  'linkify-it': { files: ['build/index.cjs.js'], deps: ['uc.micro'] },
  mdurl: { files: ['build/index.cjs.js'] },
  'punycode.js': { files: ['punycode.js'] },
  'uc.micro': { files: ['build/index.cjs.js'] },
};

/** Packages with a driver, in the order benchmarks and tests run them. `typescript` only on request (8.7 MB of code to instrument). */
const DEFAULT_PACKAGES = Object.keys(PACKAGES).filter((p) => !PACKAGES[p].optional);
const ALL_PACKAGES = Object.keys(PACKAGES);

const KEEP = /\.(js|cjs|json)$/;
const SKIP = /(\.d\.[cm]?ts|\.map|\.mjs)$/;

function copyTree(src, dst, files) {
  const st = fs.statSync(src);
  if (st.isDirectory()) {
    for (const name of fs.readdirSync(src).sort()) {
      if (name === 'esm' || name === 'node_modules') continue; // ESM twins and nested installs are not run
      copyTree(path.join(src, name), path.join(dst, name), files);
    }
  } else if (KEEP.test(src) && !SKIP.test(src)) {
    fs.mkdirSync(path.dirname(dst), { recursive: true });
    fs.copyFileSync(src, dst);
    files.push(dst);
  }
}

function vendorPackage(name, spec, vendorDir) {
  const src = path.join(NODE_MODULES, name);
  const dst = path.join(vendorDir, name);
  if (!fs.existsSync(path.join(src, 'package.json'))) throw new Error(`${name} is not installed in ${NODE_MODULES} (run npm ci)`);
  const files = [];
  fs.mkdirSync(dst, { recursive: true });
  fs.copyFileSync(path.join(src, 'package.json'), path.join(dst, 'package.json'));
  for (const f of spec.files) {
    const from = path.join(src, f);
    if (!fs.existsSync(from)) throw new Error(`${name}: ${f} not found in ${src}`);
    copyTree(from, path.join(dst, f), files);
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(src, 'package.json'), 'utf8'));
  return { name, version: pkg.version, dir: dst, files };
}

/**
 * Copies the corpus into `destDir` (created if missing; vendor/ and drivers/ are replaced).
 * options.packages: which driver packages to include (default: all but typescript).
 * Returns { root, vendorDir, driversDir, packages: [{ name, version, dir, files, lines, bytes }], drivers: {pkg: path} }.
 */
function prepareCorpus(destDir, options = {}) {
  const root = path.resolve(destDir);
  const packages = options.packages || DEFAULT_PACKAGES;
  for (const p of packages) if (!PACKAGES[p]) throw new Error(`unknown corpus package ${p} (known: ${ALL_PACKAGES.join(', ')})`);
  fs.mkdirSync(root, { recursive: true });
  const vendorDir = path.join(root, 'vendor');
  const driversDir = path.join(root, 'drivers');
  fs.rmSync(vendorDir, { recursive: true, force: true });
  fs.rmSync(driversDir, { recursive: true, force: true });
  fs.mkdirSync(vendorDir, { recursive: true });
  fs.copyFileSync(path.join(__dirname, 'package.json'), path.join(root, 'package.json'));
  fs.symlinkSync('.', path.join(vendorDir, 'node_modules'), 'dir');

  const vendored = [];
  const seen = new Set();
  const add = (name, spec, driver) => {
    if (seen.has(name)) return;
    seen.add(name);
    const v = vendorPackage(name, spec, vendorDir);
    let lines = 0; let bytes = 0;
    for (const f of v.files) {
      if (!/\.(js|cjs)$/.test(f)) continue;
      const text = fs.readFileSync(f, 'utf8');
      bytes += Buffer.byteLength(text);
      lines += text.split('\n').length;
    }
    vendored.push({ ...v, lines, bytes, driver });
    for (const d of spec.deps || []) add(d, DEPENDENCIES[d], false);
    for (const d of spec.reads || []) add(d, PACKAGES[d], false);
  };
  for (const p of packages) add(p, PACKAGES[p], true);
  for (const v of vendored) v.driver = packages.includes(v.name);

  fs.mkdirSync(path.join(driversDir, 'lib'), { recursive: true });
  const drivers = {};
  fs.copyFileSync(path.join(__dirname, 'drivers', 'lib', 'common.js'), path.join(driversDir, 'lib', 'common.js'));
  for (const p of packages) {
    drivers[p] = path.join(driversDir, `${p}.js`);
    fs.copyFileSync(path.join(__dirname, 'drivers', `${p}.js`), drivers[p]);
  }
  return { root, vendorDir, driversDir, packages: vendored, drivers };
}

module.exports = { prepareCorpus, PACKAGES, DEPENDENCIES, DEFAULT_PACKAGES, ALL_PACKAGES };

if (require.main === module) {
  // node bench/corpus/vendor.js DEST [pkg...]
  const [dest, ...pkgs] = process.argv.slice(2);
  if (!dest) { console.error('usage: node bench/corpus/vendor.js DEST [pkg...]'); process.exit(2); }
  const c = prepareCorpus(dest, pkgs.length ? { packages: pkgs } : {});
  for (const p of c.packages) console.log(`${p.name}@${p.version}: ${p.files.length} files, ${p.lines} lines, ${p.bytes} bytes`);
}
