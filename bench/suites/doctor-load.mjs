// 9. softphone-doctor --load: N native user agents (the same sans-IO core, driven by
// src/native/driver.rs over tokio, one WebSocket each) register with Kamailio from one
// process, keep alive for the window (keepalive pings every 25 s, refreshes), then
// unregister. The doctor reports REGISTER latency (start -> 200, digest included) p50/p95/max,
// the count registered at the end, failures by status, and its own CPU (utime + stime from
// /proc/self/stat, every thread) per UA per minute. Accounts: env.json's, in order (the six
// named test users, then bench0001..): Kamailio needs KAMAILIO_EXTRA_USERS >= N - 6
// (scripts/bench.sh sets it) and shared memory for N WebSockets (scripts/servers.sh sizes -m).

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../lib/static.mjs';
import { RUN_DIR } from '../lib/servers.mjs';

const execFileP = promisify(execFile);

export async function run({ env, log, options = {} }) {
  const count = options.count ?? 2000;
  const durationS = options.durationS ?? 60;
  const doctor = path.join(ROOT, 'target', 'release', 'softphone-doctor');
  if (!existsSync(doctor)) throw new Error(`${doctor} is missing: cargo build --release --bin softphone-doctor`);
  if (env.accounts.length < count) {
    throw new Error(`${env.accounts.length} accounts in env.json, ${count} needed (KAMAILIO_EXTRA_USERS)`);
  }
  log(`doctor: --load ${count} for ${durationS} s`);
  const args = [env.wsUri, '--load', String(count), '--accounts', path.join(RUN_DIR, 'env.json'),
    '--duration', String(durationS), '--timeout', '10', '--json'];
  let stdout;
  try {
    ({ stdout } = await execFileP(doctor, args, { timeout: (durationS + 120) * 1000, maxBuffer: 1 << 24 }));
  } catch (e) {
    // Exit code 1 (not all registered) still prints the report.
    if (!e.stdout) throw e;
    stdout = e.stdout;
  }
  const report = JSON.parse(stdout);
  const load = report.steps.find((s) => s.name === 'load');
  return { count, durationS, verdict: load.verdict, status: load.status, ...load.facts };
}
