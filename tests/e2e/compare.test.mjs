// Compare A and B (?compare): both sides run together on A's seed, each in
// its own engine worker, in lockstep; with B a
// duplicate of A every difference is zero; with B's attempts 3 → 1 under
// the retry-storm scenario B makes fewer attempts and more goodput; and the
// page's totals at the end of the run are `brink compare`'s (BRINK_BIN).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { deflateRawSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPage, ready, screenshot, useBrowser, ROOT, watchFrames, stopFrames } from './helpers.mjs';

const env = useBrowser();
const BRINK = process.env.BRINK_BIN ?? join(ROOT, 'target', 'release', 'brink');
const SCENARIO = join(ROOT, 'scenarios', 'brooker-collapse.toml');

// scenarios/brooker-collapse.toml as the engine's Config in JSON (the TOML's
// sections are the Config's fields), for an `s=` link.
const BROOKER = {
  seed: 1,
  traffic: { rate_per_s: 40.0, duration_s: 80.0, spike_mult: 2.0, spike_start_s: 20.0, spike_end_s: 25.0 },
  client: { timeout_s: 3.0, attempts: 3, backoff: 'none', network_jitter_ms: 100.0 },
  nodes: { count: 1, workers: 100000, queue_capacity: 0, service_dist: 'constant', service_ms_mean: 1000.0 },
  cpu: { service_ms_per_inflight: 10.0 },
};

function sValue(scenario) {
  return `1.${deflateRawSync(Buffer.from(JSON.stringify(scenario))).toString('base64url')}`;
}

/** The table's rows: {key: {a, b, diff}}, once both runs' reports at the
 * instant the status shows have come back from their workers. */
async function table(page) {
  await page.waitForFunction(() => {
    const s = document.querySelector('#status').dataset;
    return s.simTime === s.simTimeB && document.querySelector('#compare-table').dataset.at === s.simTime;
  }, null, { timeout: 10_000 });
  return page.$$eval('#compare-table tbody tr', (rows) =>
    Object.fromEntries(rows.map((r) => [r.dataset.key, { a: Number(r.dataset.a), b: Number(r.dataset.b), diff: Number(r.dataset.diff) }])),
  );
}

/** Plays both sides to the end of the run. */
async function playToEnd(page, end) {
  await page.click('#play');
  await page.waitForFunction(
    (end) => {
      const s = document.querySelector('#status').dataset;
      return Number(s.simTime) >= end && Number(s.simTimeB) >= end;
    },
    end,
    { timeout: 120_000 },
  );
}

/** `brink compare A B --format json`'s rows, as the page's table keeps them. */
function cli(a, b) {
  const doc = JSON.parse(execFileSync(BRINK, ['compare', a, b, '--format', 'json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
  const keys = [...new Set([...Object.keys(doc.a.totals), ...Object.keys(doc.b.totals)])];
  return Object.fromEntries(keys.map((k) => [k, { a: doc.a.totals[k] ?? 0, b: doc.b.totals[k] ?? 0, diff: doc.diff.totals[k] }]));
}

test('A and B: a duplicate differs by zero, one fewer-retries change has its sign, and brink compare agrees', async () => {
  const url = `${env.srv.url}?compare&s=${sValue({ config: BROOKER, speed: 200 })}`;
  const { page, log } = await openPage(env.browser.context, url);
  await ready(page);
  // Two diagrams and two knob panels, one chart with both runs, and each
  // run in an engine worker of its own.
  assert.equal(await page.$$eval('.compare__side', (s) => s.length), 2);
  assert.deepEqual(page.workers().map((w) => w.url().replace(/.*\//, '')), ['engine-worker.js', 'engine-worker.js']);
  assert.ok(await page.$('#knobs-a [data-knob="attempts"]'));
  assert.ok(await page.$('#knobs-b [data-knob="attempts"]'));

  // B is a copy of A (no b= given): after the whole run, every difference is 0.
  await playToEnd(page, 80);
  let rows = await table(page);
  assert.ok(Object.keys(rows).length >= 5, JSON.stringify(rows));
  assert.ok(rows.offered.a > 0, 'both sides ran');
  for (const [k, r] of Object.entries(rows)) assert.equal(r.diff, 0, `${k}: ${JSON.stringify(r)}`);
  assert.deepEqual(rows, cli(SCENARIO, SCENARIO));

  // B without retries: fewer attempts, more goodput, the same arrivals.
  const b = page.locator('#knobs-b [data-knob="attempts"] .knob__number');
  await b.fill('1');
  await b.press('Enter');
  await page.click('#reset');
  await page.waitForFunction(() => Number(document.querySelector('#status').dataset.simTime) === 0);
  await playToEnd(page, 80);
  rows = await table(page);
  assert.equal(rows.offered.diff, 0, 'common random numbers: the same arrivals');
  assert.ok(rows.attempts.diff < 0 && rows.goodput.diff > 0, JSON.stringify(rows));
  const dir = await mkdtemp(join(tmpdir(), 'brink-compare-'));
  const bFile = join(dir, 'b.toml');
  await writeFile(bFile, (await readFile(SCENARIO, 'utf8')).replace('attempts = 3', 'attempts = 1'));
  assert.deepEqual(rows, cli(SCENARIO, bFile));

  // The comparison is a link: reopening the address gives B's change back.
  const again = await openPage(env.browser.context, page.url());
  await ready(again.page);
  assert.equal(await again.page.$eval('#knobs-b [data-knob="attempts"] .knob__number', (e) => e.value), '1');
  assert.equal(await again.page.$eval('#knobs-a [data-knob="attempts"] .knob__number', (e) => e.value), '3');

  // "Duplicate A into B" makes the difference zero again.
  await again.page.click('#duplicate');
  assert.equal(await again.page.$eval('#knobs-b [data-knob="attempts"] .knob__number', (e) => e.value), '3');
  await playToEnd(again.page, 80);
  for (const [k, r] of Object.entries(await table(again.page))) assert.equal(r.diff, 0, k);
  console.log(`screenshot: ${await screenshot(page, 'compare.png')}`);
  assert.deepEqual([...log.errors, ...again.log.errors], []);
  await again.page.close();
  await page.close();
});

test('"Compare…" in the playground opens A = this scenario and B = a copy: both run, every difference zero', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?rate=150&attempts=2&seed=4&speed=20`);
  await ready(page);
  // Keyboard: Tab reaches the labelled link, Enter follows it.
  const link = page.locator('#compare-open');
  assert.match(await link.getAttribute('aria-label'), /compare/i);
  await page.focus('#copy-embed');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'compare-open');
  await Promise.all([page.waitForURL(/[?&]compare/), page.keyboard.press('Enter')]);
  await ready(page);
  assert.equal(await page.$$eval('.compare__side', (s) => s.length), 2);
  for (const side of ['a', 'b']) {
    assert.equal(await page.$eval(`#knobs-${side} [data-knob="rate"] .knob__number`, (e) => e.value), '150');
    assert.equal(await page.$eval(`#knobs-${side} [data-knob="attempts"] .knob__number`, (e) => e.value), '2');
  }
  assert.match(await page.textContent('#status'), /seed 4 for both/);
  await page.click('#play');
  await page.waitForFunction(() => {
    const s = document.querySelector('#status').dataset;
    return Number(s.simTime) >= 5 && Number(s.simTimeB) >= 5;
  }, null, { timeout: 60_000 });
  await page.click('#play');
  await page.waitForFunction(() => {
    const s = document.querySelector('#status').dataset;
    return s.simTime === s.simTimeB;
  });
  const rows = await table(page);
  assert.ok(rows.offered.a > 0 && rows.offered.b > 0, `both sides ran: ${JSON.stringify(rows)}`);
  for (const [k, r] of Object.entries(rows)) assert.equal(r.diff, 0, `${k}: ${JSON.stringify(r)}`);
  // A value B's knob refuses is named on B's side, not lost.
  const field = page.locator('#knobs-b [data-knob="attempts"] .knob__number');
  await field.fill('NaN');
  await field.press('Enter');
  const notice = await page.waitForSelector('#side-b [role=alert] .notice__text');
  assert.match(await notice.textContent(), /^Max attempts: /);
  assert.equal(await page.$('#side-a [role=alert]'), null, "A's side has nothing to say");
  await notice.scrollIntoViewIfNeeded();
  await screenshot(page, 'compare-b-notice.png');
  assert.equal(await page.getAttribute('#knobs-b [data-knob="attempts"]', 'data-value'), '2', 'B keeps its value');
  // A change of B that waits for a restart has its banner on B's side;
  // "Restart now" restarts both, so the sides stay in step.
  const users = page.locator('#knobs-b [data-knob="users"] .knob__number');
  await users.fill('50');
  await users.press('Enter');
  await page.waitForSelector('#side-b #restart-banner-b');
  assert.equal(await page.$('#side-a #restart-banner-a'), null);
  await page.click('#restart-banner-b button');
  await page.waitForFunction(() => {
    const s = document.querySelector('#status').dataset;
    return s.simTime === '0.000' && s.simTimeB === '0.000';
  });
  assert.equal(await page.$('#restart-banner-b'), null, 'the restart took the change');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('the compare page: chart and totals above the fold at 1280×800; nothing overflows at 390 px', async () => {
  const url = `${env.srv.url}?compare&s=${sValue({ config: BROOKER, speed: 200 })}`;
  const { page, log } = await openPage(env.browser.context, url);
  await ready(page);
  await playToEnd(page, 80);
  const box = (s) => page.$eval(s, (e) => { const r = e.getBoundingClientRect(); return { left: r.left, top: r.top, right: r.right, bottom: r.bottom }; });
  const [chart, totals, sides] = [await box('#chart-traffic'), await box('#compare-table'), await box('.compare__sides')];
  assert.ok(chart.bottom <= 800 && totals.bottom <= 800, `below the fold: chart ${JSON.stringify(chart)}, table ${JSON.stringify(totals)}`);
  assert.ok(totals.left >= chart.right, 'the totals stand beside the chart');
  assert.ok(sides.top < 800, 'the diagrams start above the fold');
  // The page ends with the sides: nothing in the knob panels (their hidden tips) reaches past them.
  const [end, tail] = await page.evaluate(() => [document.documentElement.scrollHeight, document.querySelector('.compare__sides').getBoundingClientRect().bottom + scrollY]);
  assert.ok(end <= tail + 40, `the page runs on ${end - tail} px past the sides`);
  await screenshot(page, 'compare-1280x800.png');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForFunction(() => document.documentElement.scrollWidth <= 390);
  // The ended run's chart is redrawn at its new size, not squeezed.
  await page.waitForFunction(() => {
    const c = document.querySelector('#chart-traffic');
    return c.width === Math.round(c.clientWidth * Math.max(1, devicePixelRatio));
  }, null, { timeout: 5_000 });
  const narrow = await page.evaluate(() => {
    const r = (s) => document.querySelector(s).getBoundingClientRect();
    return { chart: r('#chart-traffic'), wrap: r('.compare__totals'), a: r('#side-a'), b: r('#side-b') };
  });
  assert.ok(narrow.wrap.right <= 390 && narrow.chart.right <= 390, JSON.stringify(narrow));
  assert.ok(narrow.wrap.top >= narrow.chart.bottom && narrow.a.top >= narrow.wrap.bottom && narrow.b.top >= narrow.a.bottom, JSON.stringify(narrow));
  await screenshot(page, 'compare-390.png');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('two heavy runs step in their workers: the page keeps painting and the sides keep to one pace', async () => {
  // 20,000 requests per second at 100×: each side has millions of events
  // per wall second to step, more than a worker can keep up with.
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?compare&rate=20000&speed=100&seed=2`);
  await ready(page);
  await watchFrames(page);
  const t0 = Date.now();
  await page.click('#play');
  await page.waitForTimeout(4_000);
  const frames = await stopFrames(page);
  const wall = (Date.now() - t0) / 1000;
  const { a, b } = await page.$eval('#status', (e) => ({ a: Number(e.dataset.simTime), b: Number(e.dataset.simTimeB) }));
  await page.click('#play');
  const rows = await table(page);
  console.log(
    `compare at 20,000 req/s and 100×: A ${a.toFixed(2)} s and B ${b.toFixed(2)} s simulated in ${wall.toFixed(1)} s ` +
      `(${(Math.min(a, b) / wall).toFixed(1)}× each); ${frames.n} frames painted, the longest gap ${frames.longest} ms; ` +
      `paused, both at t = ${await page.$eval('#compare-table', (e) => e.dataset.at)} s`,
  );
  assert.equal(page.workers().length, 2, 'one engine worker per side');
  assert.ok(a > 1 && b > 1, `both ran: ${a}, ${b}`);
  assert.ok(frames.longest < 1_000, `the page kept painting: longest frame gap ${frames.longest} ms`);
  for (const [k, r] of Object.entries(rows)) assert.equal(r.diff, 0, `${k}: ${JSON.stringify(r)}`);
  assert.deepEqual(log.errors, []);
  await page.close();
});
