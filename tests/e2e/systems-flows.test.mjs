// Systems of services, flow by flow: the four templates from the Topology
// menu, growing a system by a tier, each fault button fired at a selected
// service, and the diagram's layout on a desktop and a phone screen.
// Every test opens its own page and checks the console stayed clean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, ready, simTime, setSpeed, typeKnob, screenshot, useBrowser } from './helpers.mjs';

const env = useBrowser();

/** Turns the diagram's "3.96k" / "19" / "1.2M" into a number. */
function si(text) {
  const m = /^([\d.]+)\s*([kMG]?)$/.exec(text.trim());
  assert.ok(m, `a number: ${text}`);
  return Number(m[1]) * { '': 1, k: 1e3, M: 1e6, G: 1e9 }[m[2]];
}

/** The diagram's service cards, in document order. */
async function cards(page) {
  const raw = await page.$$eval('[data-service]', (els) =>
    els.map((e) => ({
      name: e.dataset.service,
      up: Number(e.dataset.up),
      nodes: Number(e.dataset.nodes),
      pressed: e.getAttribute('aria-pressed'),
      selected: e.classList.contains('svc--selected'),
      line: e.querySelector('.svc__line').textContent,
    })),
  );
  return raw.map((c) => {
    const m = /q\s(\d+)% · (.+)\sok\/s/.exec(c.line);
    assert.ok(m, `a card line: ${c.line}`);
    return { ...c, queue: Number(m[1]) / 100, ok: si(m[2]) };
  });
}

/** The diagram's arrows as "from→to", sorted. */
async function arrows(page) {
  return (await page.$$eval('g.edge:not(.edge--clients)', (els) => els.map((e) => `${e.dataset.from}→${e.dataset.to}`))).sort();
}

/** The arrow from `from` to `to`: its words and whether it is cut. */
async function arrow(page, from, to) {
  return page.$eval(`g.edge[data-from="${from}"][data-to="${to}"]`, (e) => ({
    words: [...e.querySelectorAll('tspan')].map((t) => t.textContent).filter((w) => w),
    partitioned: e.classList.contains('edge--partitioned'),
    rate: Number(e.dataset.rate),
  }));
}

/** Waits until the simulated clock passes `t` seconds. */
async function untilSim(page, t, timeout = 30_000) {
  await page.waitForFunction((t) => Number(document.querySelector('#status').dataset.simTime) > t, t, { timeout });
}

/** Error notices shown to the user (refusals, rejected edits). */
async function errorNotices(page) {
  return page.$$eval('.notice--error .notice__text', (els) => els.map((e) => e.textContent));
}

/** Edge labels whose box runs into a service card (none should). */
async function labelsOverCards(page) {
  return page.evaluate(() => {
    const cards = [...document.querySelectorAll('[data-service]')].map((e) => ({ name: e.dataset.service, r: e.getBoundingClientRect() }));
    const hits = [];
    for (const label of document.querySelectorAll('g.edge .edge__label')) {
      const a = label.getBoundingClientRect();
      const edge = label.closest('g.edge');
      for (const { name, r } of cards) {
        if (a.left < r.right - 0.5 && r.left < a.right - 0.5 && a.top < r.bottom && r.top < a.bottom) {
          hits.push(`${edge.dataset.from}→${edge.dataset.to} "${label.textContent}" (x ${a.left.toFixed(0)}–${a.right.toFixed(0)}) runs into ${name} (x ${r.left.toFixed(0)}–${r.right.toFixed(0)})`);
        }
      }
    }
    return hits;
  });
}

const TEMPLATES = [
  { label: 'Gateway → API → database', param: 'gateway-api-db', services: ['gateway', 'api', 'database'], arrows: ['api→database', 'gateway→api'] },
  { label: 'API fanning out to 3 backends', param: 'fan-out', services: ['api', 'users', 'orders', 'search'], arrows: ['api→orders', 'api→search', 'api→users'] },
  {
    label: 'Two services sharing a slow dependency',
    param: 'shared-dependency',
    services: ['front', 'checkout', 'catalog', 'ledger'],
    arrows: ['catalog→ledger', 'checkout→ledger', 'front→catalog', 'front→checkout'],
  },
];

for (const t of TEMPLATES) {
  test(`the Topology menu loads "${t.label}": its service cards and arrows`, async () => {
    const { page, log } = await openPage(env.browser.context, env.srv.url);
    await ready(page);
    assert.equal(await page.$('[data-service]'), null, 'the playground opens on a single tier');
    await page.selectOption('#template', { label: t.label });
    await page.waitForSelector('#topology');
    assert.equal(await page.getAttribute('#topology', 'data-services'), String(t.services.length));
    const shown = await cards(page);
    assert.deepEqual(shown.map((c) => c.name).sort(), [...t.services].sort());
    assert.deepEqual(await arrows(page), t.arrows);
    assert.equal(await page.$('#nodes'), null, 'a system has no single-tier node list');
    const entry = shown.find((c) => c.name === t.services[0]);
    assert.equal(entry.pressed, 'true', 'the entry service is selected');
    assert.equal(await page.textContent('#editing-service'), t.services[0]);
    await page.click('#play');
    await untilSim(page, 2);
    await page.waitForTimeout(300);
    await screenshot(page, `systems-template-${t.param}.png`);
    assert.deepEqual(log.errors, []);
    await page.close();
  });
}

test('the Topology menu goes back to "Single tier": node cards, no service cards', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?template=gateway-api-db`);
  await ready(page);
  await page.waitForSelector('[data-service="database"]');
  await page.selectOption('#template', { label: 'Single tier' });
  await page.waitForSelector('#nodes > li');
  assert.equal(await page.$('[data-service]'), null);
  assert.equal(await page.$('#topology'), null);
  assert.equal(await page.$$eval('#nodes > li', (els) => els.length), 4, 'the classic four nodes');
  await page.click('#play');
  await untilSim(page, 2);
  await screenshot(page, 'systems-template-single.png');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('adding a tier: a cache called by the api appears after Reset', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?template=gateway-api-db&speed=10&play`);
  await ready(page);
  await page.waitForSelector('[data-service="database"]');
  await page.fill('#add-service [aria-label="Service name"]', 'cache');
  await page.fill('#add-service [aria-label="Nodes"]', '2');
  await page.click('#add-service button[type="submit"]');
  await page.waitForSelector('#restart-banner');
  await page.selectOption('#add-call [aria-label="Caller"]', { label: 'api' });
  await page.selectOption('#add-call [aria-label="Callee"]', { label: 'cache' });
  await page.click('#add-call button[type="submit"]');
  assert.deepEqual(await errorNotices(page), [], 'both edits are valid');
  assert.match(await page.textContent('#restart-banner'), /Changed the services and calls: applies when the run restarts/);
  assert.equal((await cards(page)).length, 3, 'the running system keeps its three services until the reset');
  assert.deepEqual(await arrows(page), ['api→database', 'gateway→api']);
  await page.click('#reset');
  await page.waitForSelector('[data-service="cache"]');
  assert.equal(await page.$('#restart-banner'), null, 'the reset took the change');
  const shown = await cards(page);
  assert.deepEqual(shown.map((c) => c.name).sort(), ['api', 'cache', 'database', 'gateway']);
  assert.equal(shown.find((c) => c.name === 'cache').nodes, 2);
  assert.deepEqual(await arrows(page), ['api→cache', 'api→database', 'gateway→api']);
  const options = await page.$$eval('#chart-service option', (els) => els.map((e) => e.textContent));
  assert.deepEqual(options, ['whole system', 'gateway', 'api', 'database', 'cache']);
  await page.waitForFunction(() => Number(document.querySelector('g.edge[data-from="api"][data-to="cache"]')?.dataset.rate) > 0, null, { timeout: 20_000 });
  // The charts have the new tier's own series: busy, and a part of the whole.
  const whole = await chartOf(page, 'whole system');
  const cache = await chartOf(page, 'cache');
  assert.ok(cache.goodput > 0 && cache.cpu > 0, `the cache's series is drawn: ${JSON.stringify(cache)}`);
  assert.ok(cache.cpu < 0.5 * whole.cpu, `two of twelve nodes: ${cache.cpu} of ${whole.cpu} cores`);
  await screenshot(page, 'systems-add-tier.png');
  assert.deepEqual(log.errors, []);
  await page.close();
});

/**
 * Opens the three-tier template at a modest speed, lets it settle, selects
 * `service` by its card, and returns the page once `prepare` has run.
 */
async function armed(service, prepare = async () => {}) {
  const opened = await openPage(env.browser.context, `${env.srv.url}?template=gateway-api-db&speed=4&play`);
  const { page } = opened;
  await ready(page);
  await untilSim(page, 2);
  await page.click(`[data-service="${service}"]`);
  await page.waitForFunction((s) => document.querySelector('#editing-service')?.textContent === s, service);
  await prepare(page);
  return opened;
}

/** Fires the fault button of `kind`, returning the simulated time it went off. */
async function fire(page, kind) {
  const button = page.locator(`[data-fault="${kind}"]`);
  assert.equal(await button.isDisabled(), false, `${kind} applies here`);
  await button.click();
  return simTime(page);
}

/**
 * Polls the diagram until `cond(cards)` holds, while the fault lasts; with
 * `labels`, also collects edge labels that run into a card on every poll.
 */
async function duringFault(page, t0, cond, what, labels = null) {
  for (;;) {
    const now = await simTime(page);
    const shown = await cards(page);
    if (labels) labels.push(...(await labelsOverCards(page)));
    if (await cond(shown)) return shown;
    assert.ok(now < t0 + 9, `${what} within the fault's 10 simulated seconds`);
    await page.waitForTimeout(50);
  }
}

const okOf = (shown, name) => shown.find((c) => c.name === name).ok;

/** The newest second the charts drew (their `data-last`): rates, latencies in ms. */
async function charted(page) {
  return JSON.parse(await page.getAttribute('#chart-traffic', 'data-last'));
}

/** Attempts and requests that went wrong in the charts' newest second. */
const failures = (c) => c.rejected + c.timed_out + c.failed + c.errors;

/** Shows `name`'s series in the charts ('whole system' for all) and waits for two more drawn seconds. */
async function chartOf(page, name) {
  await page.selectOption('#chart-service', { label: name });
  const s = Number(await page.getAttribute('#chart-traffic', 'data-seconds'));
  await page.waitForFunction((s) => Number(document.querySelector('#chart-traffic').dataset.seconds) >= s + 2, s, { timeout: 30_000 });
  return charted(page);
}

/** Polls the charts until `cond(newest second)` holds, while the fault lasts. */
async function chartsShow(page, t0, cond, what) {
  for (;;) {
    const c = await charted(page);
    if (cond(c)) return c;
    assert.ok((await simTime(page)) < t0 + 10, `${what} within the fault's 10 simulated seconds: ${JSON.stringify(c)}`);
    await page.waitForTimeout(100);
  }
}

test('fault: latency ×5 on the database cuts its successes per second', async () => {
  const { page, log } = await armed('database');
  const before = okOf(await cards(page), 'database');
  assert.ok(before > 3000, `the database serves the load first (${before}/s)`);
  const calm = await chartOf(page, 'database');
  assert.ok(calm.p99_ms > 0, JSON.stringify(calm));
  const t0 = await fire(page, 'LatencySpike');
  const shown = await duringFault(page, t0, (s) => okOf(s, 'database') < 0.8 * before, 'the database slows');
  assert.equal(shown.find((c) => c.name === 'database').up, 2, 'slow, not down');
  await chartsShow(page, t0, (c) => c.p99_ms > 3 * calm.p99_ms, "the database's charted p99 rises");
  await screenshot(page, 'systems-fault-latency.png');
  assert.deepEqual(await errorNotices(page), []);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('fault: losing half the workers of a database near capacity cuts its successes per second', async () => {
  const { page, log } = await armed('database', async (page) => {
    await typeKnob(page, 'workers', 12);
    await page.waitForFunction(() => document.querySelector('#running-service').textContent.includes('× 12 workers'));
  });
  const t = await simTime(page);
  await untilSim(page, t + 2);
  const before = okOf(await cards(page), 'database');
  assert.ok(before > 3000, `24 workers still serve the load (${before}/s)`);
  const calm = await chartOf(page, 'database');
  const t0 = await fire(page, 'CapacityLoss');
  await duringFault(page, t0, (s) => okOf(s, 'database') < 0.8 * before, 'the database loses throughput');
  await chartsShow(page, t0, (c) => c.goodput < 0.8 * calm.goodput, "the database's charted goodput falls");
  await screenshot(page, 'systems-fault-capacity.png');
  assert.deepEqual(await errorNotices(page), []);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('fault: fail half at the api shows the failed share on the gateway → api arrow', async () => {
  const { page, log } = await armed('api');
  assert.ok(!(await arrow(page, 'gateway', 'api')).words.some((w) => w.includes('failed')));
  const calm = await chartOf(page, 'whole system');
  assert.equal(failures(calm), 0, JSON.stringify(calm));
  const t0 = await fire(page, 'ErrorInjection');
  let share = 0;
  const overlaps = [];
  await duringFault(page, t0, async () => {
    const w = (await arrow(page, 'gateway', 'api')).words.join(' ');
    share = Number(/✕ (\d+)% failed/.exec(w)?.[1] ?? 0);
    return share >= 20;
  }, 'the failed share shows', overlaps);
  assert.ok(share <= 100);
  await chartsShow(page, t0, (c) => failures(c) > 100, 'the charts show failures');
  overlaps.push(...(await labelsOverCards(page)));
  assert.deepEqual(overlaps, [], 'the three-line label stays between the cards');
  await screenshot(page, 'systems-fault-fail-half.png');
  assert.deepEqual(await errorNotices(page), []);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('fault: partition at the api cuts its call to the database, which times out', async () => {
  const { page, log } = await armed('api');
  assert.equal((await arrow(page, 'api', 'database')).partitioned, false);
  const calm = await chartOf(page, 'whole system');
  const t0 = await fire(page, 'Partition');
  let edge;
  const overlaps = [];
  await duringFault(page, t0, async () => {
    edge = await arrow(page, 'api', 'database');
    return edge.partitioned && edge.words.some((w) => /⏱ \d+% timed out/.test(w));
  }, 'the cut call times out', overlaps);
  assert.ok(edge.words.includes('⊘ partitioned'), edge.words.join(' | '));
  await chartsShow(page, t0, (c) => c.goodput < 0.5 * calm.goodput && failures(c) > 100, 'the charts show goodput falling and failures');
  await screenshot(page, 'systems-fault-partition.png');
  // Let the timeouts reach 100% ("⏱ 100% timed out", the widest line).
  const t1 = await simTime(page);
  while ((await simTime(page)) < Math.min(t1 + 3, t0 + 9)) {
    overlaps.push(...(await labelsOverCards(page)));
    await page.waitForTimeout(50);
  }
  assert.deepEqual([...new Set(overlaps)], [], 'the labels stay between the cards');
  // The partition lasts 10 s: the arrow heals afterwards.
  await page.waitForFunction(() => !document.querySelector('g.edge[data-from="api"][data-to="database"]').classList.contains('edge--partitioned'), null, { timeout: 30_000 });
  assert.ok((await simTime(page)) >= t0 + 9, 'not before its 10 s are up');
  assert.deepEqual(await errorNotices(page), []);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('fault: flush cache at the api, whose hot key lasts an hour, sets off a stampede of 400 ms recomputations', async () => {
  const { page, log } = await armed('api', async (page) => {
    await page.check('[data-toggle="cache"] input[type="checkbox"]');
    await typeKnob(page, 'ttl', 3600);
    await page.waitForFunction(() => document.querySelector('[data-knob="ttl"]').dataset.value === '3600');
    await typeKnob(page, 'recompute_ms', 400);
    // Past the first computation of the hot key, which was stored under the
    // 10 s it had when the cache came on, and past its recomputation.
    const t = await simTime(page);
    await untilSim(page, t + 13);
    await setSpeed(page, 1);
  });
  const calm = await chartOf(page, 'api');
  const t0 = await fire(page, 'CacheFlush');
  // Every hot read recomputes for 400 ms: the api's workers fill and the
  // gateway's queue, waiting on it, fills behind them.
  const saturated = () => page.$$eval('[data-service="api"] .sq--saturated', (els) => els.length);
  let apiSaturated = 0;
  await duringFault(page, t0, async (s) => {
    apiSaturated = Math.max(apiSaturated, await saturated());
    return s.find((c) => c.name === 'gateway').queue > 0.3;
  }, "the gateway's queue fills");
  assert.ok(apiSaturated > 0 || (await saturated()) > 0, 'api nodes saturate');
  await chartsShow(page, t0, (c) => c.p99_ms > 3 * calm.p99_ms && c.cpu > 1.5 * calm.cpu, `the api's charted p99 (${calm.p99_ms} ms) and CPU (${calm.cpu} cores) jump`);
  assert.deepEqual(await errorNotices(page), []);
  await screenshot(page, 'systems-fault-cache-flush.png');
  assert.deepEqual(log.errors, []);
  await page.close();
});

/** Pairs of service cards whose boxes overlap, and cards outside the viewport's width. */
async function layoutProblems(page) {
  return page.evaluate(() => {
    const boxes = [...document.querySelectorAll('[data-service]')].map((e) => ({ name: e.dataset.service, r: e.getBoundingClientRect() }));
    const problems = [];
    for (let i = 0; i < boxes.length; i++) {
      const a = boxes[i].r;
      if (a.width < 40 || a.height < 30) problems.push(`${boxes[i].name} is ${a.width}×${a.height}`);
      if (a.left < 0 || a.right > window.innerWidth) problems.push(`${boxes[i].name} spans x ${a.left}–${a.right}`);
      for (let j = i + 1; j < boxes.length; j++) {
        const b = boxes[j].r;
        const overlap = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
        if (overlap) problems.push(`${boxes[i].name} overlaps ${boxes[j].name}`);
      }
    }
    const topo = document.querySelector('#topology');
    if (topo.scrollWidth > topo.clientWidth + 1) problems.push(`the diagram scrolls: ${topo.scrollWidth} > ${topo.clientWidth}`);
    if (document.documentElement.scrollWidth > window.innerWidth + 1) problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth}`);
    return { problems, count: boxes.length };
  });
}

for (const param of ['shared-dependency', 'fan-out']) {
  for (const [label, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]]) {
    test(`layout: ${param} at ${viewport.width}×${viewport.height}, no card overlaps another and the diagram fits`, async () => {
      const { page, log } = await openPage(env.browser.context, `${env.srv.url}?template=${param}&speed=10&play`, viewport);
      await ready(page);
      await page.waitForSelector('[data-service]');
      await untilSim(page, 2);
      const { problems, count } = await layoutProblems(page);
      assert.equal(count, 4);
      assert.deepEqual(problems, []);
      // Scroll the diagram's top just below the sticky toolbar.
      await page.$eval('#topology', (e) => {
        const bar = document.querySelector('.toolbar')?.getBoundingClientRect().bottom ?? 0;
        window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - bar - 8);
      });
      await page.waitForTimeout(200);
      await screenshot(page, `systems-layout-${param}-${label}.png`);
      assert.deepEqual(log.errors, []);
      await page.close();
    });
  }
}
