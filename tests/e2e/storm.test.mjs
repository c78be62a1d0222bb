// The lesson Brink exists for: a retry storm is metastable. A short spike
// tips the system over, and when the spike has passed, the servers stay
// fully busy serving answers nobody waits for while goodput stays near zero.
// Only a change that removes load (here: one attempt per request) ends it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, ready, simTime, typeKnob, waitForSeconds, screenshot, useBrowser, kpi } from './helpers.mjs';

const env = useBrowser();

async function seconds(page) {
  return Number(await page.getAttribute('#chart-traffic', 'data-seconds'));
}

test('a retry storm outlives its spike, and one attempt per request ends it', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?speed=20`);
  await ready(page);
  await page.selectOption('select.lesson-menu', { label: 'A retry storm outlives its trigger' });
  await page.click('#play');
  // The lesson's run spikes from 10 s to 20 s; by 40 s the trigger is long gone.
  await waitForSeconds(page, 40, 90_000);
  const storm = { offered: await kpi(page, 'offered'), goodput: await kpi(page, 'goodput'), timedOut: await kpi(page, 'timed-out') };
  await screenshot(page, 'retry-storm.png');
  console.log(`20 s after the spike: offered ${storm.offered}/s, goodput ${storm.goodput}/s, timeouts ${storm.timedOut}/s`);
  assert.ok(storm.offered > 9_000 && storm.offered < 13_000, `offered back to base: ${storm.offered}`);
  assert.ok(storm.goodput < 0.1 * storm.offered, `goodput stays collapsed: ${storm.goodput} of ${storm.offered}`);
  assert.ok(storm.timedOut > 5_000, `timeouts keep coming: ${storm.timedOut}`);

  const t0 = await simTime(page);
  await typeKnob(page, 'attempts', 1);
  await waitForSeconds(page, (await seconds(page)) + 25, 90_000);
  const healed = { goodput: await kpi(page, 'goodput'), offered: await kpi(page, 'offered') };
  console.log(`${((await simTime(page)) - t0).toFixed(0)} s after attempts = 1: goodput ${healed.goodput}/s of ${healed.offered}/s offered`);
  await screenshot(page, 'retry-storm-ended.png');
  assert.ok(healed.goodput > 0.9 * healed.offered, `goodput recovers: ${healed.goodput} of ${healed.offered}`);
  assert.deepEqual(log.errors, []);
  await page.close();
});
