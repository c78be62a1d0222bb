// Figures, printed and never asserted against wall-clock targets: frames per
// second at 100× on the steady scenario, and the time from navigation to the
// first chart. The assertions only check that the figures exist.
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

for (const [label, query, shot] of [
  ['100× steady', '?speed=100&play', 'steady-100x.png'],
  ['50× gateway → api → db', '?template=gateway-api-db&speed=50&play', 'three-tier-50x.png'],
]) {
  test(`frames per second at ${label}`, async () => {
    const { page, log } = await openPage(env.browser.context, `${env.srv.url}${query}`);
    await ready(page);
    // Let the pacer learn the engine's speed, then count frames ourselves.
    await page.waitForTimeout(1500);
    const m = await measure(page);
    await screenshot(page, shot);
    console.log(`${label}: ${m.fps.toFixed(1)} fps (overlay ${m.overlayFps.toFixed(1)}), achieved ${m.speed.toFixed(1)}× simulated/wall, ${(m.events / 1e6).toFixed(2)} M events/s`);
    assert.ok(m.fps > 0 && m.speed > 0 && m.events > 0, JSON.stringify(m));
    assert.deepEqual(log.errors, []);
    await page.close();
  });
}
