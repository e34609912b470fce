// The network lab's per-class table (issue 13, item 5): calls from a browser behind each of
// the five classes of network (tests/netlab/lab.sh: client namespace, nftables NAT router,
// server namespace with Kamailio, coturn, baresip auto-answering) by softphone-core and by
// JsSIP 3.13.8 (its defaults: it sends the INVITE when gathering completes), in one run.
// Per call: INVITE after call(), audio yes/no and the time to it from the answer, what the
// app saw (states and quality warnings, the end cause), the selected pair.
// Unlike the test, nothing is warmed: each class starts a fresh browser and its first
// call includes the first microphone start. Needs root (network namespaces); else skipped.

import * as lab from '../../tests/e2e/lib/netlab.mjs';
import { jssipCall, openLabPage, registerJssip, registerSoftphone, softphoneCall } from '../../tests/e2e/lib/netlab-calls.mjs';

const TARGET = 'sip:erin@softphone.test';

export async function run({ log, options = {} }) {
  const calls = options.calls ?? 3;
  const jssipBoundMs = options.jssipBoundMs ?? 45_000;
  const why = await lab.unavailable();
  if (why) return { skipped: `network lab unavailable: ${why}` };
  const env = await lab.up();
  const out = { calls, jssipBoundMs, classes: {} };
  try {
    for (const name of lab.CLASSES) {
      await lab.setClass(name);
      const row = { softphoneCore: [], jssip: [] };
      out.classes[name] = row;
      for (const stack of ['softphoneCore', 'jssip']) {
        const browser = await lab.launchChromium();
        try {
          const page = await openLabPage(browser);
          if (stack === 'softphoneCore') await registerSoftphone(page, env, 'alice', lab.iceServers(env));
          else await registerJssip(page, env, 'bob');
          await new Promise((r) => setTimeout(r, 1500));
          for (let i = 0; i < calls; i++) {
            const r = stack === 'softphoneCore'
              ? await softphoneCall(page, TARGET, { watchMs: name === 'noturn' ? 60_000 : 12_000 })
              : await jssipCall(page, TARGET, { iceServers: lab.iceServers(env) }, { watchMs: 12_000, answerBoundMs: jssipBoundMs });
            row[stack].push(r);
            log(`netlab ${name} ${stack} ${i + 1}: INVITE ${r.inviteMs?.toFixed(0) ?? '-'} ms, audio ${r.audioMs == null ? 'no' : `${r.audioMs.toFixed(0)} ms`}, ${describe(r)}`);
          }
        } finally {
          await browser.close();
        }
      }
    }
  } finally {
    await lab.down();
  }
  return out;
}

/** What the app saw, in a few words: state changes and warnings after the answer, the end. */
export function describe(r) {
  const parts = [];
  for (const s of r.states ?? []) if (['reconnecting', 'connected'].includes(s.event) && s.ms > 0) parts.push(`${s.event} ${(s.ms / 1000).toFixed(1)} s`);
  for (const q of r.quality ?? []) if (q.active) parts.push(`${q.warning} ${(q.ms / 1000).toFixed(1)} s`);
  if (r.endCause) parts.push(`ended ${r.endMs != null ? `${(r.endMs / 1000).toFixed(1)} s ` : ''}${JSON.stringify(r.endCause)}`);
  if (r.answerMs === undefined) parts.push('not answered');
  if (r.pair) parts.push(`pair ${r.pair}`);
  return parts.join('; ') || 'nothing';
}
