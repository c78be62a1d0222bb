// The page loads cleanly: no console errors, nothing fetched from other
// hosts, every node and chart present, usable at 1280×800 and at 600 px.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, ready, screenshot, canvasPixels, useBrowser } from './helpers.mjs';

const env = useBrowser();

test('loads without console errors or foreign requests', async () => {
  const { page, log } = await openPage(env.browser.context, env.srv.url);
  await ready(page);
  assert.equal(await page.locator('#nodes > li').count(), 4);
  for (const id of ['chart-traffic', 'chart-latency', 'chart-errors', 'chart-cpu']) {
    const px = await canvasPixels(page, id);
    let painted = 0;
    for (let i = 0; i < px.length; i += 4) if (px[i] < 230 || px[i + 1] < 230 || px[i + 2] < 230) painted++;
    assert.ok(painted > 1000, `${id} looks blank (${painted} painted pixels)`);
  }
  // Every knob has a value, a unit and a one-sentence tooltip.
  const knobs = await page.$$eval('.knob[data-knob]:not(.knob--select)', (ks) =>
    ks.map((k) => ({ tip: k.title, unit: k.querySelector('.knob__unit')?.textContent, value: k.querySelector('.knob__number')?.value })),
  );
  // One per catalogue row with slider hints (sim-core/src/catalogue/rows.rs),
  // plus the app's derived spike length: 84 + 1.
  assert.equal(knobs.length, 85);
  for (const k of knobs) assert.ok(k.tip.endsWith('.') && k.unit && k.value, JSON.stringify(k));
  // Every on/off switch has a label and a one-sentence tooltip too.
  const toggles = await page.$$eval('[data-toggle] .toggle', (ts) => ts.map((t) => ({ tip: t.title, label: t.textContent })));
  // One per switch row of the catalogue.
  assert.equal(toggles.length, 20);
  for (const t of toggles) assert.ok(t.tip.endsWith('.') && t.label.length > 3, JSON.stringify(t));
  await screenshot(page, 'load-1280x800.png');
  await page.waitForTimeout(300);
  assert.deepEqual(log.errors, []);
  assert.deepEqual(log.foreign, []);
  assert.deepEqual(log.failed, []);
  await page.close();
});

test('a malformed URL parameter shows a message naming it and its range', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?rate=lots&nodes=64&seed=x`);
  await ready(page);
  const alerts = await page.locator('[role=alert]').allTextContents();
  assert.ok(alerts.some((t) => t.includes('rate') && t.includes('0 to 50,000 req/s')), alerts.join(' | '));
  assert.ok(alerts.some((t) => t.includes('nodes') && t.includes('1 to 32')), alerts.join(' | '));
  assert.ok(alerts.some((t) => t.includes('seed') && t.includes('whole number')), alerts.join(' | '));
  assert.equal(await page.locator('#nodes > li').count(), 4, 'the defaults still run');
  await screenshot(page, 'bad-params.png');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('narrow screens keep the diagram and the central chart; knobs open in a drawer', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?play&speed=20&rate=14000`, { width: 600, height: 900 });
  await ready(page);
  await page.waitForTimeout(1500);
  const sidebar = page.locator('#knobs');
  const box = async () => sidebar.boundingBox();
  assert.ok((await box()).x + (await box()).width <= 1, 'the knob drawer starts closed');
  assert.ok(await page.locator('#chart-traffic').isVisible());
  assert.ok(await page.locator('#nodes').isVisible());
  const chart = await page.locator('#chart-traffic').boundingBox();
  assert.ok(chart.width > 500, `central chart only ${chart.width}px wide`);
  await screenshot(page, 'narrow-600.png');
  await page.click('.drawer-toggle');
  await page.waitForTimeout(400);
  assert.ok((await box()).x >= 0, 'the drawer opens');
  await screenshot(page, 'narrow-600-drawer.png');
  assert.deepEqual(log.errors, []);
  await page.close();
});
