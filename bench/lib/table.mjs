// The summary table printed at the end of a run (bench/run.mjs): one row per figure,
// medians with [min-max] over the repetitions, the target and whether it is met.

const ms = (s) => (s?.median == null ? 'n/a' : `${fmt(s.median)} ms [${fmt(s.min)}-${fmt(s.max)}]`);
const fmt = (x) => (x == null ? 'n/a' : Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(1));
const kb = (b) => (b == null ? 'n/a' : `${(b / 1000).toFixed(1)} kB`);
const rate = (s) => (s?.median == null ? 'n/a' : `${Math.round(s.median).toLocaleString('en')}/s [${Math.round(s.min).toLocaleString('en')}-${Math.round(s.max).toLocaleString('en')}]`);
const yes = (b) => (b === undefined || b === null ? '' : b ? 'met' : 'MISSED');

/** @returns {string[][]} rows: [measurement, softphone-core, JsSIP, target, verdict] */
export function rows(results) {
  const s = results.suites;
  const out = [];
  const skipped = (name) => s[name]?.status !== 'ok';
  const note = (name, label) => out.push([label, `(${s[name]?.status ?? 'not run'})`, '', '', '']);

  if (s.size?.status === 'ok') {
    const r = s.size;
    out.push(['size: wasm + JS (minified), gzip -9', kb(r.softphoneCore.withMinifiedJs.gzip), kb(r.jssip.gzip), '< JsSIP', yes(r.targetMet)]);
    if (r.jssip.brotli) {
      const ratio = `${r.ratioBrotli.toFixed(2)}x`;
      out.push(['size: wasm + JS (minified), brotli -11', kb(r.softphoneCore.withMinifiedJs.brotli), kb(r.jssip.brotli), '', ratio]);
    }
    out.push(['size: as shipped, raw / gzip -9', `${kb(r.softphoneCore.shipped.raw)} / ${kb(r.softphoneCore.shipped.gzip)}`, `${kb(r.jssip.raw)} / ${kb(r.jssip.gzip)}`, '', '']);
  } else note('size', 'size');

  if (s.parse?.status === 'ok') {
    const r = s.parse;
    out.push(['parse: 5-message mix, loop in wasm', rate(r.mix.wasmLoop), rate(r.mix.jssip), '>= 100x JsSIP', `${r.ratio.wasmLoopOverJssip.toFixed(0)}x ${yes(r.ratio.wasmLoopOverJssip >= 100)}`]);
    // Reported: the string's copy into wasm memory is in it, and encodeInto alone caps it.
    out.push(['parse: one JS->wasm call per message (string copy included)', rate(r.mix.wasmPerCall), rate(r.mix.jssip), '', `${r.ratio.wasmPerCallOverJssip.toFixed(0)}x`]);
    if (r.mix.encodeIntoOnly) {
      out.push(['parse: TextEncoder.encodeInto alone (the copy, no parsing)', rate(r.mix.encodeIntoOnly), '', '', `${r.ratio.encodeIntoOverJssip.toFixed(0)}x`]);
    }
    for (const [dir, v] of Object.entries(r.variants ?? {})) {
      out.push([`parse: loop in wasm, ${dir} (${kb(v.wasmBytes)} wasm)`, rate(v.mix.wasmLoop), '', '', `${v.ratio.wasmLoopOverJssip.toFixed(0)}x`]);
    }
  } else note('parse', 'parse');

  if (s.startup?.status === 'ok') {
    const r = s.startup;
    out.push(['start-up: navigation -> first REGISTER sent', ms(r.softphoneCore.firstRegister), ms(r.jssip.firstRegister), '', '']);
    if (r.softphoneCorePreload) out.push(['start-up: the same, <head> preloads the package', ms(r.softphoneCorePreload.firstRegister), '', '', '']);
    out.push(['start-up: navigation -> registered', ms(r.softphoneCore.registered), ms(r.jssip.registered), '', '']);
  } else note('startup', 'start-up');

  if (s.register?.status === 'ok') {
    const r = s.register;
    out.push([`Kamailio down ${r.downMs / 1000} s: up -> registered`, ms(r.softphoneCore.fromUp), ms(r.jssip.fromUp), '', '']);
  } else note('register', 'registration recovery');

  // The Asterisk-shaped peer restarted or crashed (bench/suites/recovery-pbx.mjs).
  if (s.pbx?.status === 'ok') {
    for (const how of ['restart', 'crash']) {
      const r = s.pbx[how];
      if (!r) continue;
      const worst = r.softphoneCore.fromUp.max;
      out.push([`PBX ${how}, down ${r.downMs / 1000} s: listening -> registered`, ms(r.softphoneCore.fromUp), r.jssip ? ms(r.jssip.fromUp) : '', '<= 1 s', yes(worst <= 1000)]);
    }
  } else note('pbx', 'PBX restart/crash recovery');

  if (s.scale?.status === 'ok') {
    const r = s.scale;
    out.push([`${r.count} UAs in one page: all registered`, `${fmt(r.softphoneCore.allRegisteredMs)} ms`, `${fmt(r.jssip.allRegisteredMs)} ms`, '', '']);
    if (r.bareWebSockets) out.push([`${r.count} bare WebSockets from the page: all open`, `${fmt(r.bareWebSockets.lastOpenMs)} ms (no SIP)`, '', '', '']);
    out.push([`idle renderer CPU per UA per minute (${r.idleMs / 1000} s)`, `${r.softphoneCore.rendererCpuMsPerUaPerMin.toFixed(2)} ms`, `${r.jssip.rendererCpuMsPerUaPerMin.toFixed(2)} ms`, '', '']);
  } else note('scale', 'scale');

  // softphone-doctor --load: native UAs on the same core (bench/suites/doctor-load.mjs).
  if (s.doctor?.status === 'ok') {
    const r = s.doctor;
    const ms = (v) => (v == null ? '-' : `${v.toFixed(0)} ms`);
    out.push([`native doctor --load ${r.count}: registered after ${r.durationS} s`, `${r.registered}/${r.uas}`, '', 'all', yes(r.registered === r.uas)]);
    out.push([`native doctor --load ${r.count}: REGISTER p50 / p95`, `${ms(r.registerMs.p50)} / ${ms(r.registerMs.p95)}`, '', '', '']);
    out.push([`native doctor --load ${r.count}: process CPU per UA per minute`, `${r.cpuMsPerUaPerMinute.toFixed(2)} ms`, '', '', '']);
  } else if (s.doctor) note('doctor', 'native doctor --load');

  // Issue 15's budget (bench/suites/budget.mjs): start-up, size and idle CPU of one UA.
  if (s.budget?.status === 'ok') {
    const r = s.budget;
    const perMin = (x) => (x?.median == null ? 'n/a' : `${fmt(x.median)} ms/min [${fmt(x.min)}-${fmt(x.max)}]`);
    out.push(['budget: navigation -> first REGISTER', ms(r.startup.softphoneCore.firstRegister), ms(r.startup.jssip.firstRegister), '<= JsSIP', yes(r.met.startup)]);
    out.push(['budget: navigation -> registered', ms(r.startup.softphoneCore.registered), ms(r.startup.jssip.registered), '', '']);
    if (r.startup.softphoneCorePreload) out.push(['budget: first REGISTER, <head> preloads', ms(r.startup.softphoneCorePreload.firstRegister), '', '', '']);
    const sz = (x) => `${kb(x.raw)} / ${kb(x.gzip)} / ${kb(x.brotli)}`;
    out.push(['budget: wasm + JS minified, raw / gzip / brotli', sz(r.size.softphoneCore.withMinifiedJs), sz(r.size.jssip), '<= 100 kB brotli', yes(r.met.sizeBrotli)]);
    out.push([`budget: idle main-thread time, 1 UA, ${r.idleMs / 1000} s after ${(r.settleMs ?? 5000) / 1000} s (blank page ${perMin(r.idle.blank.taskMsPerMin)})`,
      perMin(r.idle.softphoneCore.taskMsPerMin), perMin(r.idle.jssip.taskMsPerMin), '<= JsSIP', yes(r.met.idle)]);
    out.push(['budget: idle script time (JS + wasm), 1 UA', perMin(r.idle.softphoneCore.scriptMsPerMin), perMin(r.idle.jssip.scriptMsPerMin), '', '']);
    if (r.idle.softphoneCoreNoKeepalive) {
      const nk = r.idle.softphoneCoreNoKeepalive;
      out.push(['budget: the same without keep-alive (keepaliveInterval: 0): main thread / script', `${perMin(nk.taskMsPerMin)} / ${perMin(nk.scriptMsPerMin)}`, '', '', '']);
    }
  } else if (s.budget) note('budget', 'budget');

  if (s.setup?.status === 'ok') {
    for (const [key, c] of Object.entries(s.setup.cases)) {
      const jsInvite = c.jssip.invite;
      const jsText = jsInvite.timeouts ? `> ${s.setup.jssipBoundMs / 1000} s (${jsInvite.timeouts}/${jsInvite.values.length} runs)` : ms(jsInvite);
      out.push([`call setup (${key}) ${c.label}: call() -> INVITE`, ms(c.softphoneCore.invite), jsText, '< 300 ms + relay in offer',
        yes(c.softphoneCore.invite.max != null && c.softphoneCore.invite.max < 300 && c.softphoneCore.relayInOffer.every(Boolean))]);
      out.push([`call setup (${key}): call() -> 180 Ringing`, ms(c.softphoneCore.ringing), c.jssip.invite.timeouts ? '' : ms(c.jssip.ringing), '', '']);
      if (c.softphoneCoreCold) {
        const cold = c.softphoneCoreCold;
        out.push([`call setup (${key}), prewarm: false: call() -> INVITE`, `${ms(cold.invite)}${cold.relayInOffer.every(Boolean) ? '' : ' (no relay in some offers)'}`, '', '', '']);
      }
    }
  } else note('setup', 'call setup');

  if (s.media?.status === 'ok') {
    for (const r of Object.values(s.media.cuts)) {
      out.push([`media cut ${r.cutMs / 1000} s: restore -> inbound audio`, r.softphoneCore.summaryText, r.jssip.summaryText, '', '']);
    }
  } else note('media', 'media recovery');

  if (s.memory?.status === 'ok') {
    const r = s.memory;
    const g = r.softphoneCore.growth;
    out.push([`memory: ${r.calls} calls, growth after call 10 (wasm / JS heap)`, `${kb(g.wasmBytes)} / ${kb(g.jsHeapBytes)}`, r.jssip ? `- / ${kb(r.jssip.growth.jsHeapBytes)}` : '', '< 1 MB', yes(g.wasmBytes + g.jsHeapBytes < 1e6)]);
  } else note('memory', 'memory');

  // Only when asked for (--only netlab / soak: they need root and take minutes).
  if (s.netlab?.status === 'ok') {
    const cell = (list) => {
      const inv = list.map((r) => r.inviteMs).filter((x) => x != null);
      const audio = list.filter((r) => r.audioMs != null);
      const invite = inv.length ? `INVITE ${fmt(Math.min(...inv))}-${fmt(Math.max(...inv))} ms` : 'no INVITE';
      const t = audio.length ? ` (${fmt(Math.min(...audio.map((r) => r.audioMs)))}-${fmt(Math.max(...audio.map((r) => r.audioMs)))} ms)` : '';
      return `${invite}; audio ${audio.length}/${list.length}${t}`;
    };
    for (const [name, row] of Object.entries(s.netlab.classes)) {
      out.push([`netlab: ${name}`, cell(row.softphoneCore), cell(row.jssip), '', '']);
    }
  } else if (s.netlab) note('netlab', 'netlab');
  if (s.soak?.status === 'ok') {
    const r = s.soak;
    out.push([`soak: ${r.minutes} min, ${r.faults.length} faults: calls lost / duplicate REGISTERs`, `${r.callsLost} / ${r.duplicateRegisters}`, '', '0 / 0', yes(r.callsLost === 0 && r.duplicateRegisters === 0)]);
    out.push(['soak: time to audio after a fault, p50 / p95 / max', `${fmt(r.audioAfterFault.p50)} / ${fmt(r.audioAfterFault.p95)} / ${fmt(r.audioAfterFault.max)} ms`, '', '', `${r.audioAfterFault.missing} without audio in ${r.boundS} s`]);
    out.push(['soak: wasm memory / JS heap, before -> after', `${kb(r.memory.before.wasm)} -> ${kb(r.memory.after.wasm)} / ${kb(r.memory.before.js)} -> ${kb(r.memory.after.js)}`, '', '', '']);
  } else if (s.soak) note('soak', 'soak');
  void skipped;
  return out;
}

export function printTable(results) {
  const m = results.machine;
  const header = ['measurement (median [min-max])', 'softphone-core', 'JsSIP 3.13.8', 'target', ''];
  const body = rows(results);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => String(r[i]).length)));
  const line = (r) => '| ' + r.map((c, i) => String(c).padEnd(widths[i])).join(' | ') + ' |';
  console.log(`\nsoftphone-core bench, ${m.date}, ${m.nproc} CPUs (${m.cpu}), Chromium ${m.chromium}, ${results.runs} runs per figure`);
  console.log(line(header));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of body) console.log(line(r));
}
