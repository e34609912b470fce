// Packet drops on loopback with nftables, for the benchmarks only: one table of our own
// ("inet softphone_bench"), rules added by handle and the whole table deleted at the end (and
// by scripts/bench.sh's trap, should node die). Unavailable (no nft, no CAP_NET_ADMIN):
// available() is false and callers fall back.

import { execFileSync } from 'node:child_process';

// BENCH_NFT_TABLE: another name, so that two runs on one machine keep their rules apart.
export const TABLE = process.env.BENCH_NFT_TABLE ?? 'softphone_bench';
const nft = (...args) => execFileSync('nft', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

let ready = null;
export function available() {
  if (ready === null) {
    try {
      nft('add', 'table', 'inet', TABLE);
      nft('add', 'chain', 'inet', TABLE, 'input', '{ type filter hook input priority -10 ; policy accept ; }');
      nft('add', 'chain', 'inet', TABLE, 'output', '{ type filter hook output priority -10 ; policy accept ; }');
      ready = true;
    } catch {
      ready = false;
    }
  }
  return ready;
}

/** Adds `rule` (e.g. "tcp dport 40001 drop") to the input chain; returns its handle. */
export function drop(chain, rule) {
  const out = nft('--echo', '--handle', 'add', 'rule', 'inet', TABLE, chain, ...rule.split(' '));
  const m = /# handle (\d+)/.exec(out);
  if (!m) throw new Error(`nft: no handle for ${rule}`);
  return { chain, handle: m[1] };
}

export function remove({ chain, handle }) {
  nft('delete', 'rule', 'inet', TABLE, chain, 'handle', handle);
}

/** Deletes the table (every rule this module added). Safe to call twice. */
export function cleanup() {
  try { nft('delete', 'table', 'inet', TABLE); } catch { /* not there */ }
  ready = null;
}
