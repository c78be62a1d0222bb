// Play advances simulated time; pause stops it; step moves exactly one
// simulated second; reset goes back to zero.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, ready, simTime, setSpeed, typeKnob, useBrowser } from './helpers.mjs';

const env = useBrowser();

test('play, pause, step and reset', async () => {
  const { page, log } = await openPage(env.browser.context, env.srv.url);
  await ready(page);
  assert.equal(await simTime(page), 0);
  await setSpeed(page, 10);
  assert.equal(await page.textContent('#speed-value'), '10×');
  await page.click('#play');
  await page.waitForFunction(() => Number(document.querySelector('#status').dataset.simTime) > 2, null, { timeout: 20_000 });
  await page.click('#play');
  // The engine's worker may still answer the last frame's request.
  await page.waitForTimeout(200);
  const paused = await simTime(page);
  assert.ok(paused > 2);
  await page.waitForTimeout(300);
  assert.equal(await simTime(page), paused, 'pause stops the clock');
  assert.match(await page.textContent('#status'), /paused/);
  await page.click('#step');
  // The step's reply comes from the worker: wait for the clock to move.
  await page.waitForFunction((t) => Number(document.querySelector('#status').dataset.simTime) !== t, paused);
  const stepped = await simTime(page);
  assert.ok(Math.abs(stepped - paused - 1) < 0.002, `step moved ${stepped - paused} s`);
  await page.click('#reset');
  assert.equal(await simTime(page), 0);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('Copy link copies the changed knobs; the address bar follows them, and the link reopens them', async () => {
  await env.browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(env.srv.url).origin });
  const { page, log } = await openPage(env.browser.context, env.srv.url);
  await ready(page);
  await typeKnob(page, 'rate', 14000);
  await page.selectOption('#knob-backoff', 'fixed');
  await page.click('#copy-link');
  await page.waitForSelector('#copy-link:has-text("Copied")');
  const link = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(link, /\?rate=14000&backoff=fixed$/);
  assert.equal(page.url(), link);
  await page.goto(link);
  await ready(page);
  assert.equal(await page.getAttribute('[data-knob=rate]', 'data-value'), '14000');
  assert.equal(await page.inputValue('#knob-backoff'), 'fixed');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('without a Clipboard API, Copy link shows the link selected in a text field', async () => {
  const page = await env.browser.context.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined }));
  await page.goto(`${env.srv.url}?rate=9000`);
  await ready(page);
  await page.click('#copy-link');
  await page.waitForSelector('#share-url');
  const field = await page.$eval('#share-url', (e) => ({
    value: e.value,
    focused: document.activeElement === e,
    selected: e.selectionStart === 0 && e.selectionEnd === e.value.length,
  }));
  assert.deepEqual(field, { value: page.url(), focused: true, selected: true });
  assert.match(field.value, /\?rate=9000$/);
  assert.deepEqual(errors, []);
  await page.close();
});
