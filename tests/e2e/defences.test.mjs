// The defences of issue 10 in the page: each one's switch changes the run
// (its counter moves in the Defences chart, which is hidden while every
// defence is off); a retry budget ends a retry storm; a breaker's state shows
// on the clients' arrow as a shape and a word; the autoscaler's provisioning
// nodes are drawn apart from crashed ones and then serve; the adaptive limit
// shows its value. Screenshots land in tests/e2e/artifacts/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, ready, screenshot, typeKnob, useBrowser } from './helpers.mjs';

const env = useBrowser();

/** The newest second the Defences chart drew, parsed. */
async function drawn(page) {
  return JSON.parse((await page.getAttribute('#chart-defences', 'data-last')) ?? '{}');
}

/** Waits until the Defences chart's newest second has `counter` above zero. */
async function waitForCounter(page, counter, timeout = 60_000) {
  await page.waitForFunction(
    (c) => {
      const el = document.querySelector('#chart-defences');
      return el && (JSON.parse(el.dataset.last ?? '{}').defences?.[c] ?? 0) > 0;
    },
    counter,
    { timeout },
  );
}

// At 20,000 req/s on 12,800 of capacity every defence has work to do.
const OVERLOAD = 'rate=20000&speed=20&play';
const EACH = [
  ['budget=on', 'budget_suppressed'],
  ['throttle=on', 'throttle_suppressed'],
  ['adaptive=on', 'adaptive_rejected'],
  ['breaker=on', 'breaker_rejected'],
  ['hedge=on', 'hedges'],
  ['rate_limit=on', 'rate_limited'],
  ['adaptive_limit=on', 'limit_rejected'],
];

test('each defence switched on moves its counter in the Defences chart, hidden while all are off', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?${OVERLOAD}`);
  await ready(page);
  await page.waitForFunction(() => Number(document.querySelector('#status').dataset.simTime) > 3, null, { timeout: 30_000 });
  assert.equal(await page.locator('#chart-defences').count(), 0, 'no defence on, no Defences chart');
  await page.close();
  for (const [param, counter] of EACH) {
    const { page, log: l } = await openPage(env.browser.context, `${env.srv.url}?${OVERLOAD}&${param}`);
    await ready(page);
    await waitForCounter(page, counter);
    const d = await drawn(page);
    assert.ok(d.defences[counter] > 0, `${param}: ${JSON.stringify(d.defences)}`);
    if (param === 'rate_limit=on') {
      await page.locator('#chart-defences').scrollIntoViewIfNeeded();
      await screenshot(page, 'defences-rate-limit-chart.png');
    }
    assert.deepEqual(l.errors, [], param);
    await page.close();
  }
  assert.deepEqual(log.errors, []);
});

test('a 10% retry budget, switched on in the knobs, ends the retry storm of the lesson', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?lesson=metastable-retry-storm&speed=20`);
  await ready(page);
  await page.click('#play');
  await page.waitForSelector('#lesson .lesson-chip:nth-child(1).lesson-step--passed', { timeout: 90_000 });
  await page.check('[data-toggle="budget"] input[type="checkbox"]');
  await typeKnob(page, 'budget_pct', 10);
  await page.waitForSelector('#client-defences[data-defences="budget"]', { timeout: 10_000 });
  await page.waitForSelector('#chart-defences', { timeout: 10_000 });
  // Step 2 checks that attempts per request fell below 1.15 with goodput back.
  await page.waitForSelector('#lesson .lesson-chip:nth-child(2).lesson-step--passed', { timeout: 90_000 });
  await screenshot(page, 'defences-budget-ends-storm.png');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test("the clients' breaker opens when every node is down, shown as a shape and a word", async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?breaker=on&restart_s=60&speed=5&play`);
  await ready(page);
  assert.equal(await page.getAttribute('#client-defences', 'data-breaker'), 'closed');
  assert.match(await page.textContent('#client-defences'), /● breaker closed/);
  for (const b of await page.$$('.node__kill')) await b.click();
  await page.waitForSelector('#client-defences[data-breaker="open"]', { timeout: 30_000 });
  assert.match(await page.textContent('#client-defences'), /⊘ breaker OPEN/);
  await screenshot(page, 'defences-breaker-open.png');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('in a system, edges and the clients arrow carry their defence badges', async () => {
  const { page, log } = await openPage(
    env.browser.context,
    `${env.srv.url}?template=gateway-api-db&breaker=on&budget=on&speed=10&play`,
  );
  await ready(page);
  const clients = page.locator('g.edge--clients');
  await clients.waitFor();
  assert.equal(await clients.getAttribute('data-defences'), 'budget breaker');
  assert.equal(await clients.getAttribute('data-breaker'), 'closed');
  assert.match(await clients.locator('.edge__badges').textContent(), /● closed.*budget/);
  await page.locator('#topology').scrollIntoViewIfNeeded();
  await screenshot(page, 'defences-system-badges.png');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('the autoscaler shows provisioning nodes apart from crashed ones, then serves with more nodes', async () => {
  const { page, log } = await openPage(
    env.browser.context,
    `${env.srv.url}?rate=16000&autoscale=on&scale_interval=5&provisioning=20&speed=10&play`,
  );
  await ready(page);
  await page.waitForSelector('#pending-nodes', { timeout: 60_000 });
  const pending = Number(await page.getAttribute('#pending-nodes', 'data-pending'));
  assert.ok(pending > 0);
  const states = await page.$$eval('#nodes .node', (els) => els.map((e) => e.dataset.state));
  assert.ok(states.includes('provisioning'), `provisioning nodes drawn as such: ${states}`);
  assert.ok(!states.includes('crashed'), `none drawn as crashed: ${states}`);
  await page.waitForSelector('#chart-nodes', { timeout: 10_000 });
  await screenshot(page, 'defences-autoscaler-pending.png');
  // Once provisioned they serve: more than the four nodes the run began with.
  await page.waitForFunction(
    () => [...document.querySelectorAll('#nodes .node')].filter((e) => e.dataset.state !== 'provisioning').length > 4,
    null,
    { timeout: 90_000 },
  );
  await screenshot(page, 'defences-autoscaler-served.png');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('the adaptive concurrency limit shows its current value', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?rate=20000&adaptive_limit=on&speed=10&play`);
  await ready(page);
  await page.waitForSelector('#concurrency-limit', { timeout: 30_000 });
  const limit = Number(await page.getAttribute('#concurrency-limit', 'data-limit'));
  assert.ok(limit >= 20 && limit <= 200, `between the minimum and the maximum: ${limit}`);
  assert.deepEqual(log.errors, []);
  await page.close();
});
