// Control of the benchmark's own Kamailio and coturn: scripts/servers.sh with the run
// directory bench/.run (SOFTPHONE_RUN_DIR; scripts/bench.sh sets it), so that the ports of
// that run directory are used, never the checkout's default .run/ and ports. Restarts keep
// the bench accounts (KAMAILIO_EXTRA_USERS is taken from env.json when unset).

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { BENCH_DIR, ROOT } from './static.mjs';

const run = promisify(execFile);
export const RUN_DIR = process.env.SOFTPHONE_RUN_DIR ?? path.join(BENCH_DIR, '.run');

export function readEnv() {
  return JSON.parse(readFileSync(path.join(RUN_DIR, 'env.json'), 'utf8'));
}

/** `scripts/servers.sh action name`; `env` adds variables (e.g. `KAMAILIO_FLOW_TIMER`). */
export async function servers(action, name, env = {}) {
  const extra = process.env.KAMAILIO_EXTRA_USERS
    ?? String(readEnv().accounts.filter((a) => a.user.startsWith('bench')).length);
  try {
    await run('bash', [path.join(ROOT, 'scripts', 'servers.sh'), action, name], {
      cwd: ROOT,
      timeout: 60_000,
      env: { ...process.env, SOFTPHONE_RUN_DIR: RUN_DIR, KAMAILIO_EXTRA_USERS: extra, ...env },
    });
  } catch (e) {
    throw new Error(`scripts/servers.sh ${action} ${name} failed: ${e.stderr || e.message}`);
  }
}
