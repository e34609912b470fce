// 3. Size: what an app downloads. softphone-core: the wasm module, the wasm-bindgen glue,
// the package entry (index.js) and the React hooks (react/ when the package has them), as
// shipped and with the JavaScript minified by esbuild; JsSIP 3.13.8: `import JsSIP from
// 'jssip'` bundled and minified by esbuild (dist/jssip-size.min.js, built by
// scripts/bench.sh). Raw bytes and gzip -9 (the `gzip` command, as scripts/build.sh reports);
// also brotli at quality 11 (node's zlib), which CDNs such as Cloudflare serve to browsers
// that ask for it: reported, the target is on gzip.

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { constants, brotliCompressSync } from 'node:zlib';
import { transformSync } from 'esbuild';
import { BENCH_DIR, ROOT } from '../lib/static.mjs';

const gzip9 = (buf) => execFileSync('gzip', ['-9c'], { input: buf, maxBuffer: 1 << 26 }).length;
const brotli11 = (buf) =>
  brotliCompressSync(buf, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: buf.length },
  }).length;

function entry(label, file, buf = readFileSync(file)) {
  return { label, file: path.relative(ROOT, file), raw: buf.length, gzip: gzip9(buf), brotli: brotli11(buf) };
}

function minified(file) {
  const { code } = transformSync(readFileSync(file, 'utf8'), { minify: true, format: 'esm', loader: 'js' });
  return Buffer.from(code);
}

export async function run() {
  const pkg = path.resolve(process.env.BENCH_PKG_DIR ?? path.join(ROOT, 'pkg'));
  const parts = [
    entry('wasm', path.join(pkg, 'softphone_core_bg.wasm')),
    entry('glue (softphone_core.js)', path.join(pkg, 'softphone_core.js')),
    entry('entry (index.js)', path.join(pkg, 'index.js')),
  ];
  const react = path.join(pkg, 'react');
  if (existsSync(react)) {
    for (const f of readdirSync(react)) {
      const file = path.join(react, f);
      if (statSync(file).isFile() && /\.(m?js)$/.test(f)) parts.push(entry(`react/${f}`, file));
    }
  }
  const jsParts = parts.filter((p) => p.file.endsWith('.js') || p.file.endsWith('.mjs'));
  const minParts = jsParts.map((p) => entry(`${p.label}, minified`, path.join(ROOT, p.file), minified(path.join(ROOT, p.file))));
  const sum = (xs, k) => xs.reduce((a, p) => a + p[k], 0);
  const total = (xs) => ({ raw: sum(xs, 'raw'), gzip: sum(xs, 'gzip'), brotli: sum(xs, 'brotli') });
  const wasm = parts[0];
  const shipped = total(parts);
  const withMinJs = total([wasm, ...minParts]);
  const jssip = entry('JsSIP 3.13.8, esbuild --bundle --minify', path.join(BENCH_DIR, 'dist', 'jssip-size.min.js'));
  return {
    softphoneCore: { parts, minifiedJs: minParts, shipped, withMinifiedJs: withMinJs, hasReact: existsSync(react) },
    jssip,
    ratioGzip: withMinJs.gzip / jssip.gzip,
    ratioBrotli: withMinJs.brotli / jssip.brotli,
    targetMet: withMinJs.gzip < jssip.gzip,
  };
}
