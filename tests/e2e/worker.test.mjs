// The engine runs in a Web Worker: the page's series equal a native run of
// the same seed however the frames fell, knob changes reach it, pause and
// reset hold, and one worker serves every run of the page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, kpi, openPage, ready, screenshot, simTime, typeKnob, useBrowser, waitForSeconds } from './helpers.mjs';

const env = useBrowser();
const BRINK = process.env.BRINK_BIN ?? join(ROOT, 'target', 'release', 'brink');

/** The charted window: first second, offered load and goodput per second. */
async function charted(page) {
  return page.$eval('#chart-traffic', (c) => ({
    seconds: Number(c.dataset.seconds),
    first: Number(c.dataset.firstSecond),
    offered: c.dataset.offered.split(',').map(Number),
    goodput: c.dataset.goodput.split(',').map(Number),
  }));
}

/** Waits until the status line shows the run stopped advancing. */
async function pause(page) {
  await page.click('#play');
  // The worker may still answer the frame's last request.
  await page.waitForTimeout(200);
  const t = await simTime(page);
  await page.waitForTimeout(300);
  assert.equal(await simTime(page), t, 'paused: the simulated clock stands still');
}

test('the page runs its engine in exactly one worker', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?speed=20&play`);
  await ready(page);
  await waitForSeconds(page, 3);
  assert.equal(page.workers().length, 1, 'one engine worker');
  assert.match(page.workers()[0].url(), /engine-worker\.js$/);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('the charted series after 46+ simulated seconds at 100× equal `brink run` on the same seed', { skip: !existsSync(BRINK) && `no native binary at ${BRINK}` }, async () => {
  const csv = execFileSync(BRINK, ['run', '--format', 'csv', '--seed', '7', '--duration', '3600'], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const [header, ...rows] = csv.trim().split('\n').map((l) => l.split(','));
  const col = (name) => header.indexOf(name);
  const native = rows.map((r) => ({ offered: Number(r[col('offered')]), goodput: Number(r[col('goodput')]) }));

  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?seed=7&speed=100&play`);
  await ready(page);
  await waitForSeconds(page, 45, 120_000);
  await pause(page);
  // Pausing redraws nothing by itself: a step draws the completed seconds.
  await page.click('#step');
  await page.waitForFunction((n) => Number(document.querySelector('#chart-traffic').dataset.seconds) >= n, 46);
  const drawn = await charted(page);
  assert.ok(drawn.offered.length >= 46, JSON.stringify({ n: drawn.offered.length, first: drawn.first }));
  drawn.offered.forEach((v, i) => {
    assert.equal(v, native[drawn.first + i].offered, `offered in second ${drawn.first + i}`);
    assert.equal(drawn.goodput[i], native[drawn.first + i].goodput, `goodput in second ${drawn.first + i}`);
  });
  console.log(`worker series equal the native run over seconds ${drawn.first}..${drawn.first + drawn.offered.length}`);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('a knob change reaches the engine in the worker', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?speed=5&play`);
  await ready(page);
  await typeKnob(page, 'rate', 20000);
  const t0 = await simTime(page);
  // Two whole seconds after the change, the offered load is the new rate.
  await page.waitForFunction((t) => Number(document.querySelector('#status').dataset.simTime) > Math.ceil(t) + 2, t0, { timeout: 30_000 });
  const offered = await kpi(page, 'offered');
  assert.ok(Math.abs(offered - 20000) < 1500, `offered ${offered} req/s after the rate went to 20,000`);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('pause holds, reset restarts, and resets leave one worker', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?speed=50&play`);
  const closed = [];
  page.on('worker', (w) => w.on('close', () => closed.push(w.url())));
  await ready(page);
  await waitForSeconds(page, 2);
  await pause(page);
  for (let i = 0; i < 5; i++) {
    await page.click('#reset');
    assert.equal(await simTime(page), 0, 'reset goes back to t = 0');
    await page.click('#step');
    await page.waitForFunction(() => Number(document.querySelector('#status').dataset.simTime) === 1);
  }
  await page.selectOption('#template', { index: 1 });
  await page.click('#step');
  await page.waitForFunction(() => Number(document.querySelector('#status').dataset.simTime) >= 1);
  assert.equal(page.workers().length, 1, 'every run used the same worker');
  assert.deepEqual(closed, [], 'no worker was started and dropped');
  await screenshot(page, 'worker-reset.png');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('when the worker cannot instantiate its WebAssembly, the page steps the engine itself', async () => {
  const page = await env.browser.context.newPage();
  const errors = [];
  const warnings = [];
  page.on('console', (m) => (m.type() === 'error' ? errors : warnings).push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  // The worker's module fails to load, as when the browser refuses it memory.
  await page.route('**/brink-worker_bg.wasm', (r) => r.abort());
  await page.goto(`${env.srv.url}?seed=7&speed=20&play`);
  await ready(page);
  await waitForSeconds(page, 3);
  assert.ok(warnings.some((w) => w.includes('engine steps on the page')), warnings.join(' | '));
  assert.ok((await kpi(page, 'offered')) > 0, 'the run goes on');
  assert.deepEqual(errors.filter((e) => !e.includes('brink-worker_bg.wasm') && !e.includes('net::ERR_FAILED')), []);
  await page.close();
});
