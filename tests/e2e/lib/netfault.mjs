// Network faults for the browser tests, all on this machine: loopback ports whose packets are
// silently dropped (nftables), to make a dead STUN/TURN server or to cut a call's media and
// restore it.
//
//   import { netfaultAvailable, deadTurnServer, dropPorts } from './lib/netfault.mjs';
//   if (!(await netfaultAvailable())) t.skip('nft is not installed');
//   const dead = await deadTurnServer();             // {port, urls: [udp, tcp], restore()}
//   const cut = await dropPorts({ ports: [turnPort] }); // both directions, udp + tcp
//   ...; await cut.restore();
//
// Why DROP rules and not just a closed port: a closed UDP port answers with ICMP and a closed
// TCP port with a reset, which the browser notices at once; a filtering firewall answers
// nothing, and that is what hurts calls (TESTBED: a dropped UDP STUN/TURN URL keeps Chromium
// "gathering" for ~40 s, a dropped TCP one forever).
//
// Every fault is one nftables table of its own, `inet softphone_netfault_<pid>_<n>`, matching only
// the given ports on the loopback interface (other checkouts' servers on other ports are not
// touched). A fault is removed by restore(), by its own time bound (maxMs, default 60 s), at
// process exit, and tables left by a dead test process are removed by removeStaleFaults()
// (also: bash tests/servers/netfault/cleanup.sh).

import { execFile, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PREFIX = 'softphone_netfault_';
const live = new Map(); // table name -> timer
let counter = 0;

async function nft(args, input) {
  if (input !== undefined) {
    const child = execFile('nft', ['-f', '-'], { timeout: 10_000 });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.end(input);
    const code = await new Promise((resolve) => child.on('close', resolve));
    if (code !== 0) throw new Error(`nft -f - failed (${code}): ${stderr.trim()}`);
    return '';
  }
  const { stdout } = await run('nft', args, { timeout: 10_000 });
  return stdout;
}

/** Whether nftables can be used here (the nft binary exists and we may change rules). */
export async function netfaultAvailable() {
  try {
    await nft(['list', 'tables']);
    return true;
  } catch {
    return false;
  }
}

/** Removes fault tables whose test process is gone (a crashed earlier run). */
export async function removeStaleFaults() {
  const out = await nft(['list', 'tables']).catch(() => '');
  for (const line of out.split('\n')) {
    const m = new RegExp(`^table inet (${PREFIX}(\\d+)_\\d+)$`).exec(line.trim());
    if (!m) continue;
    const pid = Number(m[2]);
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (!alive || (pid === process.pid && !live.has(m[1]))) {
      await nft(['delete', 'table', 'inet', m[1]]).catch(() => {});
    }
  }
}

function removeSync(table) {
  try {
    execFileSync('nft', ['delete', 'table', 'inet', table], { stdio: 'ignore', timeout: 5_000 });
  } catch {
    // already gone
  }
}

process.on('exit', () => {
  for (const table of live.keys()) removeSync(table);
});
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    for (const table of live.keys()) removeSync(table);
    process.exit(130);
  });
}

/**
 * Silently drops every packet to or from the given loopback ports (UDP and TCP, both
 * directions) until restore() or maxMs.
 * @param {{ports: number[], protocols?: ('udp'|'tcp')[], maxMs?: number}} options
 * @returns {Promise<{table: string, restore: () => Promise<void>, active: () => boolean}>}
 */
export async function dropPorts({ ports, protocols = ['udp', 'tcp'], maxMs = 60_000 }) {
  if (!ports.length) throw new Error('dropPorts: no ports');
  for (const p of ports) if (!Number.isInteger(p) || p <= 0 || p > 65535) throw new Error(`bad port ${p}`);
  const table = `${PREFIX}${process.pid}_${++counter}`;
  const set = `{ ${ports.join(', ')} }`;
  const rules = protocols
    .flatMap((proto) => [`oifname "lo" ${proto} dport ${set} drop`, `oifname "lo" ${proto} sport ${set} drop`])
    .map((r) => `    ${r}`)
    .join('\n');
  await nft(
    [],
    `table inet ${table} {\n  chain out {\n    type filter hook output priority -10; policy accept;\n${rules}\n  }\n}\n`,
  );
  let restored = false;
  const restore = async () => {
    if (restored) return;
    restored = true;
    clearTimeout(live.get(table));
    live.delete(table);
    await nft(['delete', 'table', 'inet', table]).catch(() => {});
  };
  const timer = setTimeout(() => restore(), maxMs);
  timer.unref();
  live.set(table, timer);
  return { table, restore, active: () => !restored };
}

/** A loopback port free for both UDP and TCP right now. */
export async function freePort() {
  for (let i = 0; i < 20; i++) {
    const port = await new Promise((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const { port: p } = srv.address();
        srv.close(() => resolve(p));
      });
    });
    const udpFree = await new Promise((resolve) => {
      const s = createSocket('udp4');
      s.once('error', () => resolve(false));
      s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('no free loopback port');
}

/**
 * A TURN server that never answers: a free loopback port whose UDP and TCP packets are dropped.
 * @param {{maxMs?: number}} [options]
 * @returns {Promise<{port: number, urls: string[], restore: () => Promise<void>}>}
 */
export async function deadTurnServer({ maxMs = 120_000 } = {}) {
  const port = await freePort();
  const fault = await dropPorts({ ports: [port], maxMs });
  return {
    port,
    urls: [`turn:127.0.0.1:${port}?transport=udp`, `turn:127.0.0.1:${port}?transport=tcp`],
    restore: fault.restore,
  };
}

/**
 * Runs `fn` with the given ports dropped, and restores them afterwards whatever happens.
 * @template T
 * @param {{ports: number[], protocols?: ('udp'|'tcp')[], maxMs?: number}} options
 * @param {() => Promise<T>} fn
 * @returns {Promise<T>}
 */
export async function withDroppedPorts(options, fn) {
  const fault = await dropPorts(options);
  try {
    return await fn();
  } finally {
    await fault.restore();
  }
}
