// Lessons: a link opens a guided experiment, its banner stays compact
// enough that the central chart is above the fold at 1280×800, and each
// step's check turns green once the step's change is made through the
// knobs and the running system shows what the step teaches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, ready, screenshot, typeKnob, useBrowser } from './helpers.mjs';

const env = useBrowser();

/** The state class of each step chip, e.g. ['passed', 'waiting']. */
async function chips(page) {
  return page.$$eval('#lesson .lesson-chip', (els) =>
    els.map((el) => [...el.classList].find((c) => c.startsWith('lesson-step--')).slice('lesson-step--'.length)),
  );
}

/** Waits until step `n` (from 1) has turned green. */
async function waitForGreen(page, n, timeout = 90_000) {
  await page.waitForSelector(`#lesson .lesson-chip:nth-child(${n}).lesson-step--passed`, { timeout });
}

/** The traffic chart's box must end within the 800 px viewport. */
async function assertChartAboveFold(page, what) {
  const box = await page.locator('#chart-traffic').boundingBox();
  assert.ok(box && box.y + box.height <= 800, `${what}: the traffic chart ends at ${box && box.y + box.height} px`);
}

test('a lesson link opens its banner, and walking its steps through the knobs turns each check green', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?lesson=thread-pool-switching&speed=10`);
  await ready(page);
  assert.match(await page.textContent('#lesson .lesson__title'), /Thread-per-request/);
  assert.equal(await page.inputValue('select.lesson-menu'), await page.$eval('select.lesson-menu option:checked', (o) => o.value));
  assert.equal(await page.inputValue('[data-knob="workers"] .knob__number'), '256', 'the lesson scenario is loaded');
  assert.deepEqual(await chips(page), ['watching', 'ahead']);
  assert.equal(new URL(page.url()).search, '?lesson=thread-pool-switching&step=1');
  await page.click('#play');

  await waitForGreen(page, 1);
  assert.deepEqual(await chips(page), ['passed', 'waiting'], 'step 2 waits for its change');
  assert.equal(new URL(page.url()).search, '?lesson=thread-pool-switching&step=2', 'the address follows the step');
  // Open by default; "Less" folds it to one line, "Steps" opens it again.
  assert.equal(await page.getAttribute('#lesson .lesson__toggle', 'aria-expanded'), 'true');
  await page.click('#lesson .lesson__toggle');
  assert.equal(await page.locator('#lesson .lesson-step').count(), 0, 'folded: the chips alone');
  assert.match(await page.textContent('#lesson .lesson__now'), /Set the workers to 32/);
  await page.click('#lesson .lesson__toggle');
  await page.waitForSelector('#lesson .lesson-step[data-step="2"]');
  assert.match(await page.textContent('#lesson .lesson-step[data-step="2"] .lesson-step__change'), /→ 32/);
  await assertChartAboveFold(page, 'banner expanded');

  await typeKnob(page, 'workers', 32);
  await page.waitForSelector('#lesson .lesson-chip:nth-child(2).lesson-step--watching', { timeout: 10_000 });
  await waitForGreen(page, 2);
  assert.deepEqual(await chips(page), ['passed', 'passed']);
  assert.match(await page.textContent('#lesson .lesson__now'), /Every step shown/);
  await page.click('#play');
  await screenshot(page, 'lesson-thread-pool-done.png');
  await assertChartAboveFold(page, 'lesson complete');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('the retry-waves lesson shows its waves at 100 ms and turns green after switching to jitter', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?speed=20`);
  await ready(page);
  await page.selectOption('select.lesson-menu', { label: 'Fixed-interval retries arrive in waves' });
  assert.equal(new URL(page.url()).search, '?lesson=retry-waves&step=1');
  await page.click('#play');
  await waitForGreen(page, 1);
  await waitForGreen(page, 2);
  const peak = await page.textContent('#lesson .fine-view figcaption');
  assert.match(peak, /Retries per 100 ms, last 10 s \(peak \d+\)/);
  await screenshot(page, 'lesson-retry-waves-fixed.png');
  assert.deepEqual(await chips(page), ['passed', 'passed', 'waiting']);

  await page.selectOption('#knob-backoff', 'full-jitter');
  await waitForGreen(page, 3, 120_000);
  await page.click('#play');
  assert.deepEqual(await chips(page), ['passed', 'passed', 'passed']);
  await screenshot(page, 'lesson-retry-waves-jitter.png');
  await assertChartAboveFold(page, 'retry-waves expanded with its 100 ms view');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('a link to a later step makes the earlier changes, and a bad lesson is reported', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?lesson=connection-pool&step=3`);
  await ready(page);
  assert.deepEqual(await chips(page), ['skipped', 'skipped', 'waiting']);
  assert.equal(await page.inputValue('[data-knob="pool"] .knob__number'), '10', "step 2's change is made");
  await typeKnob(page, 'pool', 100);
  await page.waitForSelector('#lesson .lesson-chip:nth-child(3).lesson-step--watching', { timeout: 10_000 });
  assert.deepEqual(log.errors, []);
  await page.close();

  const bad = await openPage(env.browser.context, `${env.srv.url}?lesson=nope`);
  await ready(bad.page);
  assert.match(await bad.page.textContent('.notice--error'), /URL parameter lesson: unknown; known lessons are phase-transition/);
  assert.equal(await bad.page.locator('#lesson').count(), 0);
  await bad.page.close();
});
