// Headless Chromium for the benchmarks: Debian's /usr/bin/chromium through playwright-core,
// the project's test flags (tests/e2e/lib/servers.mjs), plus what the measurements need:
// --js-flags=--expose-gc (gc() before reading the JS heap) and --enable-precise-memory-info
// (performance.memory without the 100 ms/quantised values).

import { readdirSync, readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS as TEST_CHROMIUM_ARGS } from '../../tests/e2e/lib/servers.mjs';

export const CHROMIUM_ARGS = [
  ...TEST_CHROMIUM_ARGS,
  '--js-flags=--expose-gc',
  '--enable-precise-memory-info',
  // Background timers must not be throttled in a page that keeps 200 UAs alive.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

/** @returns {Promise<import('playwright-core').Browser>} */
export function launchChromium(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
}

/** Chromium's version string, e.g. "156.0.8078.79". */
export function chromiumVersion(browser) {
  return browser.version();
}

/** pids of every descendant of `pid` (from /proc/<pid>/task/<tid>/children, every thread). */
export function descendants(pid) {
  const out = [];
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop();
    const kids = [];
    try {
      // Children are listed per thread: a child forked by any thread counts.
      for (const tid of readdirSync(`/proc/${p}/task`)) {
        const list = readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8').trim();
        if (list) kids.push(...list.split(/\s+/).map(Number));
      }
    } catch { /* gone */ }
    for (const k of kids) {
      out.push(k);
      stack.push(k);
    }
  }
  return out;
}

/** The process's --type (renderer, utility, gpu-process, zygote) or "browser". */
export function processType(pid) {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/); // child processes rewrite their title with spaces
    const t = cmd.find((a) => a.startsWith('--type='));
    const sub = cmd.find((a) => a.startsWith('--utility-sub-type='));
    return t ? t.slice(7) + (sub ? `:${sub.slice(19)}` : '') : 'browser';
  } catch {
    return 'gone';
  }
}

const TICKS = 100; // USER_HZ on Linux

/** utime + stime of a process, in ms (/proc/<pid>/stat fields 14 and 15). */
export function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
  } catch {
    return NaN;
  }
}
