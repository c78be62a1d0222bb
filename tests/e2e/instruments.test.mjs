// The instruments beside the playground: the "your dashboard is lying"
// panel during a retry storm, Brink checking itself against theory in the
// page (?view=validate), and the hysteresis sweep (?view=hysteresis) whose
// branches part for the retry storm and meet with its defence on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, ready, setSpeed, waitForSeconds, screenshot, useBrowser, canvasPixels, countColour } from './helpers.mjs';

const env = useBrowser();

/** A dashboard tile's badge word and value. */
async function tile(page, id) {
  const el = page.locator(`#dash-${id}`);
  return { level: await el.getAttribute('data-level'), value: Number(await el.getAttribute('data-value')) };
}

/** Non-white pixels of a canvas: something was drawn. */
async function inked(page, selector) {
  return page.$eval(selector, (c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] < 240 || d[i + 1] < 240 || d[i + 2] < 240) n++;
    return n;
  });
}

test('the dashboard panel stays green on P50 while the share of successes collapses', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?speed=4`);
  await ready(page);
  // The central chart stays above the fold with the panel below it.
  const chart = await page.locator('#chart-traffic').boundingBox();
  assert.ok(chart.y + chart.height <= 800, `central chart bottom at ${chart.y + chart.height}px`);
  await page.selectOption('select.lesson-menu', { label: 'A retry storm outlives its trigger' });
  await page.click('#play');
  // Before the spike (from 10 s), paused so the figures hold still.
  await waitForSeconds(page, 3, 60_000);
  await page.click('#play');
  const calm = { p50: await tile(page, 'p50'), success: await tile(page, 'success') };
  console.log(`before the spike: P50 ${calm.p50.value} ms ${calm.p50.level}, success ${calm.success.value} ${calm.success.level}`);
  assert.equal(calm.p50.level, 'OK');
  assert.equal(calm.success.level, 'OK');
  const tiles = await page.$$eval('.dash-tile', (els) => els.map((e) => `${e.id} ${e.dataset.value} ${e.dataset.level}`).join('; '));
  assert.equal(await page.getAttribute('#dash-verdict', 'data-lying'), 'false', tiles);
  await setSpeed(page, 20);
  await page.click('#play');
  // The spike runs from 10 s to 20 s; by 35 s the storm holds on its own.
  await waitForSeconds(page, 35, 120_000);
  await page.click('#play'); // pause, so the figures hold still while read
  const storm = {
    p50: await tile(page, 'p50'),
    cpu: await tile(page, 'cpu'),
    success: await tile(page, 'success'),
    goodput: await tile(page, 'goodput'),
    wasted: await tile(page, 'wasted'),
  };
  console.log(`in the storm: P50 ${storm.p50.value} ms ${storm.p50.level}, CPU ${storm.cpu.value}, success ${storm.success.value} ${storm.success.level}, goodput ratio ${storm.goodput.value}, wasted ${storm.wasted.value} ${storm.wasted.level}`);
  assert.equal(storm.p50.level, 'OK', 'the server timer still reads the service time');
  assert.ok(storm.p50.value < 50, `P50 ${storm.p50.value} ms`);
  assert.ok(storm.cpu.value > 0.9, `the CPU is busy: ${storm.cpu.value}`);
  assert.equal(storm.success.level, 'BAD');
  assert.ok(storm.success.value < 0.2, `success share ${storm.success.value}`);
  assert.equal(storm.wasted.level, 'BAD');
  assert.equal(await page.getAttribute('#dash-verdict', 'data-lying'), 'true');
  assert.match(await page.textContent('#dash-verdict'), /Your dashboard is lying/);
  // Every badge carries its word, and every sparkline is drawn.
  for (const id of ['p50', 'goodput', 'success', 'p99', 'p999', 'wasted']) {
    assert.match(await page.textContent(`#dash-${id} .dash-badge`), /^(OK|WARN|BAD)$/);
  }
  for (const id of ['p50', 'throughput', 'cpu', 'goodput', 'success', 'wasted']) {
    assert.ok((await inked(page, `#dash-${id} canvas`)) > 50, `sparkline ${id} drawn`);
  }
  // The success sparkline is drawn red while its badge says BAD.
  const sparkPixels = await page.$eval('#dash-success canvas', (c) => Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data));
  assert.ok(countColour(sparkPixels, [220, 38, 38], 40) > 20, 'the falling success line is red');
  await page.locator('#dashboard').scrollIntoViewIfNeeded();
  await screenshot(page, 'dashboard-lying.png');
  // The panel folds away.
  await page.click('#dashboard summary');
  assert.equal(await page.isVisible('#dash-p50'), false);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('Brink checks itself in the page: every row passes, filled check by check', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?view=validate`);
  await page.waitForSelector('#validate-status');
  // The first paint comes before any check has run.
  const first = Number(await page.getAttribute('#validate-status', 'data-done'));
  assert.ok(first < 7, `the table fills progressively (first paint after ${first} checks)`);
  await page.waitForFunction(() => Number(document.querySelector('#validate-status')?.dataset.done) >= 1, null, { timeout: 60_000 });
  const partial = await page.locator('#validate-table tbody tr.check-row:not(.check-row--pending)').count();
  assert.ok(partial >= 1, 'rows appear while later checks still run');
  await page.waitForFunction(() => Number(document.querySelector('#validate-status')?.dataset.done) === 7, null, { timeout: 300_000 });
  const rows = Number(await page.getAttribute('#validate-status', 'data-rows'));
  const passed = Number(await page.getAttribute('#validate-status', 'data-passed'));
  const took = await page.$$eval('.check-row__took', (els) => els.map((e) => e.textContent));
  console.log(`validation in the page: ${passed} of ${rows} rows pass; each check took ${took.join(', ')}`);
  assert.equal(rows, 18);
  assert.equal(passed, rows);
  assert.equal(await page.locator('.check-row--fail').count(), 0);
  assert.match(await page.textContent('#validate-status'), /18 of 18 rows pass/);
  await screenshot(page, 'validate.png');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('the views menu opens the checks and the hysteresis sweep over the scenario', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?queue=5000`);
  await ready(page);
  await Promise.all([page.waitForURL(/view=hysteresis/), page.selectOption('#view-menu', 'hysteresis')]);
  assert.match(page.url(), /view=hysteresis&queue=5000/);
  await page.waitForSelector('#hyst-status');
  assert.equal(await page.$eval('#hyst-scenario', (s) => s.value), '0', "the playground's scenario is swept");
  await Promise.all([page.waitForURL((u) => !/view=/.test(u.search)), page.click('text=← Playground')]);
  assert.match(page.url(), /\?queue=5000$/);
  await ready(page);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('hysteresis: the retry storm parts its branches, its defence closes them', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?view=hysteresis`);
  await page.waitForSelector('#hyst-chart');
  assert.equal(await page.$eval('#hyst-scenario', (s) => s.value), '1', 'opened bare: the retry storm');
  // The sweep runs in slices: the page answers while it runs.
  await page.waitForFunction(() => Number(document.querySelector('#hyst-status')?.dataset.steps) >= 2, null, { timeout: 120_000 });
  const t0 = Date.now();
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => ok())));
  const frameWait = Date.now() - t0;
  await page.waitForFunction(() => document.querySelector('#hyst-status')?.dataset.done === 'true', null, { timeout: 180_000 });
  const storm = { parts: await page.getAttribute('#hyst-status', 'data-parts'), band: Number(await page.getAttribute('#hyst-status', 'data-band')) };
  console.log(`retry storm: branches part ${storm.parts}, widest gap ${storm.band.toFixed(0)} req/s; a frame came ${frameWait} ms after asking mid-sweep`);
  assert.equal(storm.parts, 'true');
  assert.ok(storm.band > 5_000, `band ${storm.band}`);
  // The band's fill: the wasted-work pink at 30% over white.
  const bandPixels = countColour(await canvasPixels(page, 'hyst-chart'), [236, 190, 242], 14);
  assert.ok(bandPixels > 2_000, `the band is shaded: ${bandPixels} px`);
  assert.equal(await page.locator('#hyst-table tbody tr').count(), 4);
  await screenshot(page, 'hysteresis-storm.png');

  await page.selectOption('#hyst-scenario', '2');
  await page.click('#hyst-run');
  await page.waitForFunction(() => document.querySelector('#hyst-status')?.dataset.done === 'false', null, { timeout: 10_000 });
  await page.waitForFunction(() => document.querySelector('#hyst-status')?.dataset.done === 'true', null, { timeout: 180_000 });
  const defended = { parts: await page.getAttribute('#hyst-status', 'data-parts'), band: Number(await page.getAttribute('#hyst-status', 'data-band')) };
  console.log(`with queues of 256: branches part ${defended.parts}, widest gap ${defended.band.toFixed(0)} req/s`);
  assert.equal(defended.parts, 'false');
  assert.match(await page.textContent('#hyst-status'), /meet/);
  const noBand = countColour(await canvasPixels(page, 'hyst-chart'), [236, 190, 242], 14);
  assert.ok(noBand < bandPixels / 10, `no band: ${noBand} px`);
  await screenshot(page, 'hysteresis-defended.png');

  // A bad rate range is refused with its allowed range.
  await page.fill('#hyst-rates', '15000:9000:1000');
  await page.dispatchEvent('#hyst-rates', 'change');
  await page.click('#hyst-run');
  await page.waitForFunction(() => /Not run/.test(document.querySelector('#hyst-status')?.textContent ?? ''));
  assert.match(await page.textContent('#hyst-status'), /FROM ≤ TO/);
  assert.deepEqual(log.errors, []);
  await page.close();
});
