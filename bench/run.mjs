#!/usr/bin/env node
// softphone-core against JsSIP 3.13.8: every benchmark in one headless Chromium, against one
// Kamailio and one coturn (started by scripts/bench.sh, which is the command to run; this
// script expects the package built, bench/pkg-bench built, bench/dist bundled and the
// servers up in SOFTPHONE_RUN_DIR).
//
//   node bench/run.mjs [--runs 5] [--only size,parse,startup,register,scale,setup,media,memory,doctor,budget]
//                      [--doctor-load 2000] [--doctor-duration 60]
//                      [--calls 200] [--jssip-calls N] [--scale 200] [--idle 60] [--idle-settle 30] [--jssip-bound 45]
//                      [--out bench/results/latest.json] [--merge]
//   node bench/run.mjs --only netlab [--netlab-calls 3]          (the network lab, as root)
//   node bench/run.mjs --only soak [--soak-minutes 20] [--soak-every 30]   (the fault soak, as root)
//
// Prints one table and writes the JSON file (every repetition's value, medians, spread,
// the machine). Exit status 0 when every suite that could run ran; a suite that needs the
// call API (setup, media, memory) is "skipped" while the package has no phone.call().

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { launchChromium } from './lib/browser.mjs';
import { readEnv } from './lib/servers.mjs';
import { BENCH_DIR, ROOT, startStaticServer } from './lib/static.mjs';
import { printTable } from './lib/table.mjs';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    only: { type: 'string', default: 'size,parse,startup,register,scale,setup,media,memory,doctor,budget' },
    'doctor-load': { type: 'string', default: '2000' },
    'doctor-duration': { type: 'string', default: '60' },
    calls: { type: 'string', default: '200' },
    'jssip-calls': { type: 'string' },
    scale: { type: 'string', default: '200' },
    idle: { type: 'string', default: '60' },
    'idle-settle': { type: 'string', default: '30' },
    'jssip-bound': { type: 'string', default: '45' },
    // Not in the default --only: they need root (network namespaces) and take minutes.
    'netlab-calls': { type: 'string', default: '3' },
    'soak-minutes': { type: 'string', default: '20' },
    'soak-every': { type: 'string', default: '30' },
    out: { type: 'string', default: path.join(BENCH_DIR, 'results', 'latest.json') },
    // Keep the other suites' results already in --out; replace only those run now.
    merge: { type: 'boolean', default: false },
  },
});
const runs = Number(args.runs);
const only = args.only.split(',').map((s) => s.trim()).filter(Boolean);

const SUITES = {
  size: { file: 'size.mjs', browser: false },
  // BENCH_OPT_VARIANTS=1 (scripts/bench.sh builds them): the parser at opt-level 3 and "s" too.
  parse: { file: 'parse.mjs', options: { variants: process.env.BENCH_OPT_VARIANTS === '1' ? ['pkg-bench-O3', 'pkg-bench-s'] : [] } },
  startup: { file: 'startup.mjs' },
  register: { file: 'recovery-register.mjs' },
  pbx: { file: 'recovery-pbx.mjs' },
  scale: { file: 'scale.mjs', options: { count: Number(args.scale), idleMs: Number(args.idle) * 1000 } },
  setup: { file: 'call-setup.mjs', options: { jssipBoundMs: Number(args['jssip-bound']) * 1000 } },
  media: { file: 'recovery-media.mjs' },
  memory: { file: 'memory.mjs', options: { calls: Number(args.calls), jssipCalls: Number(args['jssip-calls'] ?? args.calls) } },
  // softphone-doctor --load (native, no browser): scripts/bench.sh builds target/release/softphone-doctor.
  doctor: { file: 'doctor-load.mjs', browser: false, options: { count: Number(args['doctor-load']), durationS: Number(args['doctor-duration']) } },
  // Issue 15's budget: start-up, size and one UA's idle CPU (--idle seconds), side by side.
  budget: { file: 'budget.mjs', options: { idleMs: Number(args.idle) * 1000, settleMs: Number(args['idle-settle']) * 1000 } },
  // The network lab (tests/netlab/): its own namespaces, servers and browsers.
  netlab: { file: 'netlab.mjs', options: { calls: Number(args['netlab-calls']), jssipBoundMs: Number(args['jssip-bound']) * 1000 } },
  soak: { file: 'soak.mjs', options: { minutes: Number(args['soak-minutes']), everyS: Number(args['soak-every']) } },
};

const log = (...m) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...m);

function machine(browserVersion) {
  const cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m)?.[1] ?? os.cpus()[0]?.model;
  const git = (...a) => { try { return execFileSync('git', a, { cwd: ROOT, encoding: 'utf8' }).trim(); } catch { return null; } };
  return {
    date: new Date().toISOString(),
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpu,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAvgAtStart: os.loadavg(),
    kernel: os.release(),
    node: process.version,
    chromium: browserVersion,
    commit: git('rev-parse', '--short', 'HEAD'),
    dirty: (git('status', '--porcelain', '--untracked-files=no') ?? '') !== '',
  };
}

const env = readEnv();
const site = await startStaticServer();
const browser = await launchChromium();
const results = { machine: machine(browser.version()), runs, suites: {} };
if (args.merge && existsSync(args.out)) {
  const old = JSON.parse(readFileSync(args.out, 'utf8'));
  results.suites = old.suites ?? {};
  results.earlierMachine = old.machine;
}
let failed = 0;
try {
  for (const name of only) {
    const suite = SUITES[name];
    if (!suite) throw new Error(`unknown suite ${name} (known: ${Object.keys(SUITES).join(', ')})`);
    const mod = await import(`./suites/${suite.file}`);
    const t0 = performance.now();
    log(`${name}: start`);
    try {
      const r = await mod.run({ browser, site, env, runs, log, options: suite.options ?? {} });
      results.suites[name] = { status: r?.skipped ? 'skipped' : 'ok', seconds: (performance.now() - t0) / 1000, ...r };
      log(`${name}: ${results.suites[name].status} in ${results.suites[name].seconds.toFixed(0)} s`);
    } catch (e) {
      failed++;
      results.suites[name] = { status: 'failed', error: String(e?.stack ?? e) };
      log(`${name}: FAILED: ${e?.stack ?? e}`);
    }
    // Write after every suite: a long run that dies late keeps what it measured.
    mkdirSync(path.dirname(args.out), { recursive: true });
    writeFileSync(args.out, JSON.stringify(results, null, 2) + '\n');
  }
} finally {
  await browser.close();
  await site.close();
}
results.machine.loadAvgAtEnd = os.loadavg();
writeFileSync(args.out, JSON.stringify(results, null, 2) + '\n');
printTable(results);
log(`wrote ${path.relative(process.cwd(), args.out)}`);
process.exit(failed ? 1 : 0);
