// Raising the arrival rate mid-run changes the system from that instant:
// steady at 10,000 req/s, overloaded at 14,000 (capacity is 12,800), and
// much worse at 30,000. 503s rise, and the node view and the central chart
// show it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, ready, simTime, typeKnob, waitForSeconds, canvasPixels, countColour, screenshot, useBrowser, kpi } from './helpers.mjs';

const OFFERED = [107, 114, 128];
const THROUGHPUT = [37, 99, 235];

const env = useBrowser();

async function nodes(page) {
  return page.$$eval('#nodes > li', (ls) => ls.map((l) => ({ state: l.dataset.state, rejected: Number(l.dataset.rejected) })));
}

/** Lets `seconds` more simulated seconds complete, then returns the completed count. */
async function run(page, seconds) {
  const now = Number(await page.getAttribute('#chart-traffic', 'data-seconds'));
  await waitForSeconds(page, now + seconds);
  return Number(await page.getAttribute('#chart-traffic', 'data-seconds'));
}

/** 503s per simulated second over all nodes, measured across `seconds` seconds. */
async function shedRate(page, seconds) {
  const sum = async () => (await nodes(page)).reduce((a, n) => a + n.rejected, 0);
  const [r0, t0] = [await sum(), await simTime(page)];
  await run(page, seconds);
  const [r1, t1] = [await sum(), await simTime(page)];
  return (r1 - r0) / (t1 - t0);
}

/** Rows of the plot area where a colour appears (the legend row excluded). */
function topRow(pixels, width, rgb) {
  for (let i = 0; i < pixels.length; i += 4) {
    const y = Math.floor(i / 4 / width);
    if (y < 40) continue;
    if (Math.abs(pixels[i] - rgb[0]) < 25 && Math.abs(pixels[i + 1] - rgb[1]) < 25 && Math.abs(pixels[i + 2] - rgb[2]) < 25) return y;
  }
  return -1;
}

test('raising the rate past capacity mid-run raises 503s and changes the views', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?speed=20&play`);
  await ready(page);
  await run(page, 8);
  const steady = { states: (await nodes(page)).map((n) => n.state), rejected: await kpi(page, 'rejected'), shed: await shedRate(page, 3) };
  assert.ok(steady.states.every((s) => s === 'busy' || s === 'idle' || s === 'saturated'), steady.states.join());
  assert.equal(steady.shed, 0, 'no 503s below capacity');

  await typeKnob(page, 'rate', 14000);
  assert.equal(await page.getAttribute('[data-knob=rate]', 'data-value'), '14000');
  await run(page, 6);
  const over = { states: (await nodes(page)).map((n) => n.state), rejected: await kpi(page, 'rejected'), shed: await shedRate(page, 4) };
  assert.ok(over.states.includes('shedding'), `no node sheds at 14,000 req/s: ${over.states.join()}`);
  assert.ok(over.rejected > 100, `503s in the last second at 14,000 req/s: ${over.rejected}`);
  const width = await page.$eval('#chart-traffic', (c) => c.width);
  const before = await canvasPixels(page, 'chart-traffic');
  await screenshot(page, 'overload-14000.png');

  await typeKnob(page, 'rate', 30000);
  await run(page, 12);
  const worse = { rejected: await kpi(page, 'rejected'), shed: await shedRate(page, 4), states: (await nodes(page)).map((n) => n.state) };
  const after = await canvasPixels(page, 'chart-traffic');
  await screenshot(page, 'overload-30000.png');
  console.log(`503s per simulated second: ${steady.shed.toFixed(0)} at 10k, ${over.shed.toFixed(0)} at 14k, ${worse.shed.toFixed(0)} at 30k req/s`);

  assert.ok(worse.shed > 2.5 * over.shed, `503 rate ${worse.shed} at 30k vs ${over.shed} at 14k`);
  assert.ok(worse.rejected > 2.5 * over.rejected, `last-second 503s ${worse.rejected} vs ${over.rejected}`);
  assert.ok(worse.states.every((s) => s === 'shedding'), worse.states.join());
  // The central chart: the offered line climbs far above throughput.
  let changed = 0;
  for (let i = 0; i < before.length; i += 4) if (Math.abs(before[i] - after[i]) + Math.abs(before[i + 1] - after[i + 1]) > 60) changed++;
  assert.ok(changed > before.length / 4 / 50, `only ${changed} pixels of the central chart changed`);
  const gap = (px) => topRow(px, width, THROUGHPUT) - topRow(px, width, OFFERED);
  assert.ok(gap(after) > gap(before) + 30, `offered–throughput gap ${gap(before)} px → ${gap(after)} px`);
  assert.ok(countColour(after, OFFERED, 25) > 200);
  assert.deepEqual(log.errors, []);
  await page.close();
});
