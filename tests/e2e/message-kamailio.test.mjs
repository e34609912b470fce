// MESSAGE (RFC 3428) between two softphones in headless Chromium through the real Kamailio,
// which challenges a MESSAGE from one of its users with 407 (tests/servers/kamailio) and
// relays it to the registered contact: delivered with the callee's 200, received as a
// `message` event; a type the callee does not allow comes back 415; an unknown user 404.
// Needs the local servers (scripts/test.sh starts them).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { closeHarness, createPhones, openHarness } from './lib/harness.mjs';
import { account, readEnv } from './lib/servers.mjs';

const env = readEnv();
let browser;
let site;
let page;
const consoleLines = [];
const h = (fn, ...args) => page.evaluate(fn, args);

function config(user, extra = {}) {
  const acc = account(user);
  return { servers: env.wsUri, uri: acc.uri, password: acc.password, logLevel: 'debug', ...extra };
}

async function waitFor(fn, arg, what) {
  try {
    await page.waitForFunction(fn, arg, { timeout: 10_000, polling: 50 });
  } catch {
    assert.fail(`no ${what} within 10 s\n${consoleLines.slice(-20).join('\n')}`);
  }
  return page.evaluate(fn, arg);
}

before(async () => {
  ({ browser, site, page } = await openHarness({ consoleLines, checkReady: false }));
  await createPhones(page, ['alice', 'bob'], (name) => config(name));
  for (const name of ['alice', 'bob']) {
    await waitFor((n) => window.harness.events.some((e) => e.phone === n && e.type === 'registration' && e.state === 'registered'), name, `${name} registered`);
  }
});

after(() => closeHarness({ page, browser, site }, ['alice', 'bob']));

describe('MESSAGE through Kamailio', { concurrency: false }, () => {
  test('alice to bob: 407 answered, relayed, 200, received', async () => {
    const result = await h(([to]) => window.harness.phone('alice').sendMessage(to, 'hi bob, are you free?'), account('bob').uri);
    assert.deepEqual(result, { delivered: true, messageId: result.messageId, status: 200 });
    const got = await waitFor(
      () => window.harness.events.find((e) => e.phone === 'bob' && e.type === 'message' && e.event === 'received') ?? null,
      null,
      'a message at bob',
    );
    assert.equal(got.body, 'hi bob, are you free?');
    assert.equal(got.from, account('alice').uri);
    assert.equal(got.to, account('bob').uri);
    assert.ok(got.headers.some(([n]) => /^via$/i.test(n)), 'the request headers come along');
    // The challenge was Kamailio's 407, answered with Proxy-Authorization (alice's debug log).
    assert.ok(consoleLines.some((l) => /recv SIP\/2\.0 407/.test(l)), 'a 407 came back first');
  });

  test('a type bob does not allow fails with 415; an unknown user with 404', async () => {
    const json = await h(([to]) => window.harness.phone('alice').sendMessage(to, '{"a":1}', { contentType: 'application/json' }), account('bob').uri);
    assert.deepEqual([json.delivered, json.status, json.reason], [false, 415, 'Unsupported Media Type']);
    const nobody = await h(() => window.harness.phone('alice').sendMessage('nobody-here', 'x'));
    assert.deepEqual([nobody.delivered, nobody.status], [false, 404]);
  });
});
