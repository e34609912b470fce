// The benchmark's static server on 127.0.0.1: /pkg/ -> pkg/ (the shipped package),
// /bench/ -> bench/ (pages, dist/jssip.min.js, pkg-bench/). No caching headers at all
// beyond no-store, so every page load fetches and compiles again (a cold start).

import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = path.resolve(BENCH_DIR, '..');

const ROUTES = [
  // BENCH_PKG_DIR: another build of the package (e.g. a branch's) under /pkg/.
  ['/pkg/', path.resolve(process.env.BENCH_PKG_DIR ?? path.join(ROOT, 'pkg'))],
  ['/bench/', BENCH_DIR],
];
const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.sip': 'text/plain; charset=utf-8',
};

/**
 * Serves the package and the bench folder on 127.0.0.1 and a free port.
 * @returns {Promise<{url: string, close: () => Promise<void>}>} url ends with "/"
 */
export function startStaticServer() {
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const route = ROUTES.find(([prefix]) => url.pathname.startsWith(prefix));
    if (!route || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404).end();
      return;
    }
    const file = path.resolve(route[1], decodeURIComponent(url.pathname.slice(route[0].length)));
    let size;
    try {
      if (!file.startsWith(route[1] + path.sep)) throw new Error('outside');
      const st = statSync(file);
      if (!st.isFile()) throw new Error('not a file');
      size = st.size;
    } catch {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream',
      'Content-Length': size,
      'Cache-Control': 'no-store',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}/`,
        close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
      });
    });
  });
}
