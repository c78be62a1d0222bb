// Figures, printed and never asserted against wall-clock targets: frames per
// second and the speed reached against the speed asked, on the steady
// scenario at 100× and 200× (and 20× with the database on), a three-tier
// system at 50× and 100×, and every lesson (preset) at 100× with the
// heaviest named; and the time from
// navigation to the first chart. The engine runs in a Web Worker, so the
// frame rate is the page's drawing alone. The assertions only check that the
// figures exist and that no simulation runs on the page's thread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, ready, screenshot, useBrowser } from './helpers.mjs';

const env = useBrowser();

test('time from page load to first chart', async () => {
  const { page, log } = await openPage(env.browser.context, env.srv.url);
  await ready(page);
  const t = await page.evaluate(() => {
    const mark = performance.getEntriesByName('brink-first-chart')[0];
    const nav = performance.getEntriesByType('navigation')[0];
    return { chart: mark?.startTime, dcl: nav?.domContentLoadedEventEnd };
  });
  assert.ok(t.chart > 0, 'the first-chart mark is missing');
  console.log(`first chart ${t.chart.toFixed(0)} ms after navigation start (DOMContentLoaded ${t.dcl.toFixed(0)} ms)`);
  assert.deepEqual(log.errors, []);
  await page.close();
});

/** Frames, achieved speed and events per second over 5 s of wall time. */
async function measure(page) {
  return page.evaluate(async () => {
    const t = () => Number(document.querySelector('#status').dataset.simTime);
    const [sim0, wall0] = [t(), performance.now()];
    let frames = 0;
    await new Promise((done) => {
      const tick = () => (performance.now() - wall0 < 5000 ? (frames++, requestAnimationFrame(tick)) : done());
      requestAnimationFrame(tick);
    });
    const wall = (performance.now() - wall0) / 1000;
    const perf = document.querySelector('#perf').dataset;
    return { fps: frames / wall, speed: (t() - sim0) / wall, overlayFps: Number(perf.fps), events: Number(perf.eventsPerS) };
  });
}

/** Prints one measurement: frames per second and speed reached of asked. */
function report(label, asked, m) {
  console.log(`${label}: ${m.fps.toFixed(1)} fps (overlay ${m.overlayFps.toFixed(1)}), reached ${m.speed.toFixed(1)}× of ${asked}× asked, ${(m.events / 1e6).toFixed(2)} M events/s`);
}

for (const [label, query, asked, shot] of [
  ['100× steady', '?speed=100&play', 100, 'steady-100x.png'],
  ['200× steady', '?speed=200&play', 200, 'steady-200x.png'],
  ['50× gateway → api → db', '?template=gateway-api-db&speed=50&play', 50, 'three-tier-50x.png'],
  ['100× gateway → api → db', '?template=gateway-api-db&speed=100&play', 100, 'three-tier-100x.png'],
  ['20× steady with the database on', '?db=on&speed=20&play', 20, 'db-20x.png'],
]) {
  test(`frames per second at ${label}`, async () => {
    const { page, log } = await openPage(env.browser.context, `${env.srv.url}${query}`);
    await ready(page);
    // Let the pacer learn the engine's speed, then count frames ourselves.
    await page.waitForTimeout(1500);
    const m = await measure(page);
    await screenshot(page, shot);
    report(label, asked, m);
    assert.ok(m.fps > 0 && m.speed > 0 && m.events > 0, JSON.stringify(m));
    assert.equal(page.workers().length, 1, 'the engine runs in its worker');
    assert.deepEqual(log.errors, []);
    await page.close();
  });
}

test('frames per second with each lesson at 100×; the heaviest named', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?speed=100`);
  await ready(page);
  const lessons = await page.$$eval('select.lesson-menu option', (os) => os.filter((o) => o.value !== '').map((o) => o.textContent));
  const rows = [];
  for (const lesson of lessons) {
    await page.click('#reset');
    await page.selectOption('select.lesson-menu', { label: lesson });
    if ((await page.textContent('#play')).includes('Play')) await page.click('#play');
    await page.waitForTimeout(1000);
    const m = await measure(page);
    // Work per simulated second: what makes a lesson heavy.
    rows.push({ lesson, m, load: m.events / Math.max(m.speed, 1e-9) });
    report(`100× ${lesson}`, 100, m);
  }
  assert.ok(rows.length > 0, 'the lesson menu lists lessons');
  const heaviest = rows.reduce((a, b) => (b.load > a.load ? b : a));
  report(`100× heaviest lesson (${heaviest.lesson})`, 100, heaviest.m);
  await screenshot(page, 'lesson-100x.png');
  assert.ok(rows.length > 0 && rows.every((r) => r.m.fps > 0), JSON.stringify(rows));
  assert.deepEqual(log.errors, []);
  await page.close();
});
