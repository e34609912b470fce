#!/usr/bin/env node
// A tiny static server for the demo and the browser tests (node only, no dependencies).
//
//   node scripts/serve.mjs [--port 8000] [--host 127.0.0.1]
//
// Routes:
//   /              -> www/            (index.html for a folder)
//   /pkg/...       -> pkg/            (the built npm package: softphone_core.js, .wasm, ...)
//   /tests/...     -> tests/e2e/pages/
//   /config.json   -> generated, see buildConfig() below
// Every answer has Cache-Control: no-store. Only GET and HEAD. Paths never leave their folder.
//
// Also a module: tests import { startStaticServer, buildConfig, turnCredentials } from here
// (through tests/e2e/lib/servers.mjs).

import { createHmac } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root (the folder above scripts/). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const ROUTES = [
  ['/pkg/', 'pkg'],
  ['/tests/', path.join('tests', 'e2e', 'pages')],
  ['/', 'www'],
];

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wav': 'audio/wav',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
};

/**
 * TURN REST API credentials (the scheme coturn's use-auth-secret checks):
 * username "<unix expiry>:<id>", credential base64(HMAC-SHA1(secret, username)).
 * @param {{urls: string[], secret: string}} turn the "turn" object of .run/env.json
 * @param {{ttlSeconds?: number, id?: string, now?: number}} [options]
 * @returns {{urls: string[], username: string, credential: string}} an RTCIceServer
 */
export function turnCredentials(turn, { ttlSeconds = 3600, id = 'softphone', now = Date.now() } = {}) {
  const username = `${Math.floor(now / 1000) + ttlSeconds}:${id}`;
  const credential = createHmac('sha1', turn.secret).update(username).digest('base64');
  return { urls: turn.urls, username, credential };
}

/**
 * The configuration the demo page fetches from /config.json.
 *
 * With SIP_WS_URI and SIP_URI set (a real PBX): one account from SIP_URI, SIP_PASSWORD,
 * SIP_AUTH_USER, SIP_DISPLAY_NAME, and ICE_SERVERS (a JSON array of RTCIceServer) if given.
 * Otherwise the local test servers from .run/env.json: all test accounts, and a TURN server
 * with fresh REST credentials.
 *
 * Shape: {source: "env"|"local", wsUri, domain, iceServers: RTCIceServer[],
 *         accounts: [{user, uri, password, authUser?, displayName?}]}
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {object}
 */
export function buildConfig(env = process.env) {
  if (env.SIP_WS_URI && env.SIP_URI) {
    const match = /^sips?:(?:([^@;]+)@)?([^;>?]+)/.exec(env.SIP_URI);
    const account = { user: match?.[1] ?? '', uri: env.SIP_URI, password: env.SIP_PASSWORD ?? '' };
    if (env.SIP_AUTH_USER) account.authUser = env.SIP_AUTH_USER;
    if (env.SIP_DISPLAY_NAME) account.displayName = env.SIP_DISPLAY_NAME;
    let iceServers = [];
    if (env.ICE_SERVERS) {
      iceServers = JSON.parse(env.ICE_SERVERS);
      if (!Array.isArray(iceServers)) throw new Error('ICE_SERVERS must be a JSON array of RTCIceServer');
    }
    return { source: 'env', wsUri: env.SIP_WS_URI, domain: match?.[2] ?? '', iceServers, accounts: [account] };
  }
  const file = path.join(env.SOFTPHONE_RUN_DIR ?? path.join(ROOT, '.run'), 'env.json');
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: run "bash scripts/servers.sh start all", or set SIP_WS_URI and SIP_URI`);
  }
  const local = JSON.parse(readFileSync(file, 'utf8'));
  return {
    source: 'local',
    wsUri: local.wsUri,
    domain: local.domain,
    iceServers: local.turn ? [turnCredentials(local.turn, { id: 'demo' })] : [],
    accounts: local.accounts,
  };
}

/** Maps a URL path to a file under ROOT, or null when it is outside every route's folder. */
function resolveFile(urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  for (const [prefix, dir] of ROUTES) {
    if (!decoded.startsWith(prefix)) continue;
    const base = path.join(ROOT, dir);
    const file = path.resolve(base, '.' + path.posix.normalize('/' + decoded.slice(prefix.length)));
    if (file !== base && !file.startsWith(base + path.sep)) return null;
    return file;
  }
  return null;
}

function send(res, status, body, type = 'text/plain; charset=utf-8') {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function handle(req, res, env) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return send(res, 405, 'Method Not Allowed\n');
  }
  const urlPath = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (urlPath === '/config.json') {
    try {
      return send(res, 200, JSON.stringify(buildConfig(env), null, 2) + '\n', MIME['.json']);
    } catch (e) {
      return send(res, 503, `config.json: ${e.message}\n`);
    }
  }
  let file = resolveFile(urlPath);
  if (!file) return send(res, 404, 'Not Found\n');
  let stat;
  try {
    stat = statSync(file);
    if (stat.isDirectory()) {
      if (!urlPath.endsWith('/')) {
        res.writeHead(301, { Location: urlPath + '/', 'Cache-Control': 'no-store' });
        return res.end();
      }
      file = path.join(file, 'index.html');
      stat = statSync(file);
    }
  } catch {
    return send(res, 404, 'Not Found\n');
  }
  if (!stat.isFile()) return send(res, 404, 'Not Found\n');
  res.writeHead(200, {
    'Content-Type': MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': stat.size,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  if (req.method === 'HEAD') return res.end();
  createReadStream(file).pipe(res);
}

/**
 * Starts the static server.
 * @param {{port?: number, host?: string, env?: NodeJS.ProcessEnv}} [options] port 0 picks a free port
 * @returns {Promise<{url: string, port: number, close: () => Promise<void>}>} url ends with "/"
 */
export function startStaticServer({ port = 0, host = '127.0.0.1', env = process.env } = {}) {
  const server = createServer((req, res) => handle(req, res, env));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const actual = server.address().port;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${shownHost}:${actual}/`,
        port: actual,
        close: () => new Promise((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
      });
    });
  });
}

function parseArgs(argv) {
  const options = { port: 8000, host: '127.0.0.1' };
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = inline ?? argv[++i];
    if (flag === '--port') options.port = Number(value);
    else if (flag === '--host') options.host = value;
    else throw new Error(`unknown argument ${argv[i]} (usage: serve.mjs [--port 8000] [--host 127.0.0.1])`);
    if (value === undefined || (flag === '--port' && !Number.isInteger(options.port))) {
      throw new Error(`${flag} needs a value`);
    }
  }
  return options;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const options = parseArgs(process.argv.slice(2));
  const server = await startStaticServer(options);
  console.log(`serving ${server.url} (www/, /pkg/, /tests/, /config.json); Ctrl-C stops`);
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
