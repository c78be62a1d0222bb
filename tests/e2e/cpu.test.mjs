// An oversized thread pool: the thread-per-request lesson puts 256
// workers per node on 32 cores, the CPU chart fills with switching and every
// node shows its CPU split; shrinking the pool to 32 gives the cores back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, ready, waitForSeconds, canvasPixels, countColour, screenshot, typeKnob, useBrowser, kpi } from './helpers.mjs';

const env = useBrowser();

// Colours of the CPU chart's bands: the palette's (src/charts/style.rs)
// at 45% over white, as the chart fills them.
const band = (rgb) => rgb.map((c) => Math.round(0.45 * c + 0.55 * 255));
const USEFUL = band([22, 163, 74]);
const SWITCHING = band([120, 113, 108]);

async function seconds(page) {
  return Number(await page.getAttribute('#chart-cpu', 'data-seconds'));
}

/** The first node's CPU split, in cores, and its words. */
async function split(page) {
  return page.$eval('#nodes > li:nth-child(1) .cpu', (el) => ({
    useful: Number(el.dataset.useful),
    switching: Number(el.dataset.switching),
    text: el.textContent,
    bars: el.querySelectorAll('.cpubar span').length,
  }));
}

test('256 workers on 32 cores: switching fills the CPU chart and every node shows its split', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?speed=5`);
  await ready(page);
  const before = await canvasPixels(page, 'chart-cpu');
  assert.equal(await page.locator('#nodes .cpu').count(), 0, 'no CPU split until the CPU model is on');
  await page.selectOption('select.lesson-menu', { label: 'Thread-per-request: switching eats the CPU' });
  assert.ok(await page.isChecked('#toggle-cpu'), 'the lesson switches the CPU model on');
  assert.equal(await page.inputValue('[data-knob="workers"] .knob__number'), '256');
  await page.click('#play');
  await waitForSeconds(page, 8);
  await page.click('#play');
  await screenshot(page, 'cpu-thread-pool.png');
  const during = await canvasPixels(page, 'chart-cpu');
  const grey = countColour(during, SWITCHING, 6);
  assert.ok(grey > 200 && grey > 5 * countColour(before, SWITCHING, 6), `switching band drawn: ${grey} grey pixels`);
  const s = await split(page);
  assert.equal(s.bars, 3);
  assert.ok(s.switching > 0.3 * (s.useful + s.switching), `node 1 switches ${s.switching} of ${s.useful + s.switching} cores`);
  assert.match(s.text, /\d+% useful · \d+% switching/);
  assert.equal(await page.locator('#nodes .cpu').count(), 4, 'every node shows its split');
  const slow = await kpi(page, 'goodput');
  console.log(`256 workers: goodput ${slow}/s, node 1 ${s.text}`);
  assert.ok(slow < 9_000, `goodput held down by switching: ${slow}`);
  await page.click('#play');

  await typeKnob(page, 'workers', 32);
  await page.waitForFunction((n) => Number(document.querySelector('#chart-cpu').dataset.seconds) >= n, (await seconds(page)) + 6, { timeout: 60_000 });
  const fixed = await split(page);
  const fast = await kpi(page, 'goodput');
  console.log(`32 workers: goodput ${fast}/s, node 1 ${fixed.text}`);
  assert.ok(fixed.switching < 0.5, `no switching with a worker per core: ${fixed.switching}`);
  assert.ok(fast > 11_000, `goodput back to the cores' capacity: ${fast}`);
  const after = await canvasPixels(page, 'chart-cpu');
  const green = countColour(after, USEFUL, 6);
  assert.ok(green > 2 * countColour(during, USEFUL, 6), `the useful band grows: ${green} green pixels`);
  await screenshot(page, 'cpu-pool-32.png');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('the thundering-herd lesson shows the database and hot key in the dependency line', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?speed=2`);
  await ready(page);
  await page.selectOption('select.lesson-menu', { label: 'A thundering herd at each expiry' });
  await page.click('#play');
  // The lesson's run starts with the key missing, stores it, and it expires 5 s later.
  await page.waitForFunction(() => document.querySelector('#deps-cache')?.dataset.fresh === 'false', null, { timeout: 30_000 });
  const deps = await page.textContent('#deps');
  assert.match(deps, /database: [\d,]+ queries running/);
  assert.match(deps, /hot key: expired/);
  assert.match(await page.textContent('#nodes > li:nth-child(1) .node__db'), /^db \d+\/10 · [\d,]+ waiting$/);
  await screenshot(page, 'cache-stampede.png');
  assert.deepEqual(log.errors, []);
  await page.close();
});
