// Keyboard, screen readers and screen sizes (issue 11, item 6), and the
// WebM recording of the diagram and the central chart (item 4).
//
// The keyboard test uses page.keyboard only (Tab, Shift+Tab, Enter, Space,
// arrows): no clicks, no fills, no selectOption. At every stop it checks
// that the focused control shows a ring (a computed outline or box-shadow).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, ready, screenshot, simTime, useBrowser } from './helpers.mjs';

const env = useBrowser();

/** What the focused element is, and whether it shows a focus ring. */
function focusState(page) {
  return page.evaluate(() => {
    const e = document.activeElement;
    const s = getComputedStyle(e);
    const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
    const shadow = s.boxShadow !== 'none';
    return { id: e.id, tag: e.tagName, knob: e.closest('[data-knob]')?.dataset.knob ?? null, visible: outline || shadow, html: e.outerHTML.slice(0, 120) };
  });
}

/**
 * Presses Tab (or Shift+Tab) until `want(focus)` holds, checking the focus
 * ring at every stop; fails after `max` presses.
 */
async function tabTo(page, want, { back = false, max = 250 } = {}) {
  for (let k = 0; k < max; k++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const f = await focusState(page);
    if (f.tag !== 'BODY') assert.ok(f.visible, `no visible focus ring on ${f.html}`);
    if (want(f)) return f;
  }
  throw new Error(`focus never reached the control after ${max} presses`);
}

/** Controls without an accessible name: aria-label(ledby), a label, or text. */
function unnamedControls(page) {
  return page.evaluate(() => {
    const named = (e) => {
      if (e.getAttribute('aria-label')?.trim()) return true;
      const by = e.getAttribute('aria-labelledby');
      if (by && by.split(/\s+/).some((id) => document.getElementById(id)?.textContent.trim())) return true;
      if (e.labels && [...e.labels].some((l) => l.textContent.trim())) return true;
      return e.tagName !== 'INPUT' && e.tagName !== 'SELECT' && e.textContent.trim() !== '';
    };
    return [...document.querySelectorAll('button, input, select, textarea, [role=button]')]
      .filter((e) => e.type !== 'hidden' && !named(e))
      .map((e) => e.outerHTML.slice(0, 160));
  });
}

test('the keyboard alone loads a lesson, plays, changes a knob and copies a link; every control is named', async () => {
  await env.browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(env.srv.url).origin });
  const { page, log } = await openPage(env.browser.context, env.srv.url);
  await ready(page);
  assert.deepEqual(await unnamedControls(page), [], 'controls without an accessible name');

  // The lesson menu: arrows pick the first lesson (the placeholder is disabled).
  await tabTo(page, (f) => f.id === 'lesson-menu');
  await page.keyboard.press('ArrowDown');
  await page.waitForSelector('#lesson');
  assert.match(new URL(page.url()).search, /lesson=/);
  await screenshot(page, 'keyboard-1-lesson.png');
  assert.deepEqual(await unnamedControls(page), [], 'controls without a name once a lesson is open');

  // Play with Enter.
  await tabTo(page, (f) => f.id === 'play');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => Number(document.querySelector('#status').dataset.simTime) > 1, null, { timeout: 20_000 });
  assert.match(await page.textContent('#status'), /running/);
  await screenshot(page, 'keyboard-2-playing.png');
  // Pause with Space, so the rest of the test reads a still page.
  await page.keyboard.press('Space');
  await page.waitForFunction(() => /paused/.test(document.querySelector('#status').textContent));
  assert.ok((await simTime(page)) > 1);

  // The request-rate knob's slider, three steps to the left (a lesson may
  // have put it at the slider's top already).
  const before = await page.getAttribute('[data-knob=rate]', 'data-value');
  await tabTo(page, (f) => f.id === 'knob-rate');
  for (let k = 0; k < 3; k++) await page.keyboard.press('ArrowLeft');
  await page.waitForFunction((b) => document.querySelector('[data-knob=rate]').dataset.value !== b, before);
  const after = Number(await page.getAttribute('[data-knob=rate]', 'data-value'));
  assert.ok(after < Number(before), `rate ${before} → ${after}`);
  await screenshot(page, 'keyboard-3-knob.png');

  // Back up to Copy link and press Enter: the clipboard holds the page's link.
  await tabTo(page, (f) => f.id === 'copy-link', { back: true });
  await page.keyboard.press('Enter');
  await page.waitForSelector('#copy-link:has-text("Copied")');
  const link = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(link, page.url());
  assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/\?/);
  await screenshot(page, 'keyboard-4-copied.png');

  // The charts' text alternative names the last second's figures.
  const summary = await page.locator('#chart-summary');
  assert.equal(await summary.getAttribute('aria-live'), 'polite');
  // The summary follows the run once a second: wait for its first completed second.
  await page.waitForFunction(() => document.querySelector('#chart-summary')?.textContent.startsWith('Second '), null, { timeout: 15_000 });
  assert.match(await summary.textContent(), /^Second \d+ \(.+\): offered .+, throughput .+, goodput .+, p99 latency .+, failed requests .+\.$/);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('service cards are buttons the keyboard selects with Enter and Space', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?lesson=backpressure-deadlines`);
  await ready(page);
  const cards = await page.locator('#topology .svc').count();
  assert.ok(cards >= 2, `${cards} service cards`);
  const second = await page.locator('#topology .svc').nth(1).getAttribute('data-service');
  await tabTo(page, (f) => f.html.includes(`data-service="${second}"`));
  await page.keyboard.press('Enter');
  await page.waitForFunction((n) => document.querySelector(`#topology .svc[data-service="${n}"]`).getAttribute('aria-pressed') === 'true', second);
  assert.equal(await page.textContent('#editing-service'), second);
  // Back to the first card, and Space.
  const first = await page.locator('#topology .svc').nth(0).getAttribute('data-service');
  await tabTo(page, (f) => f.html.includes(`data-service="${first}"`), { back: true });
  await page.keyboard.press('Space');
  await page.waitForFunction((n) => document.querySelector(`#topology .svc[data-service="${n}"]`).getAttribute('aria-pressed') === 'true', first);
  await screenshot(page, 'keyboard-5-service.png');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('the live summary changes at most once a wall second at high speed', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?speed=50`);
  await ready(page);
  await page.evaluate(() => {
    window.__summaryChanges = [];
    new MutationObserver(() => window.__summaryChanges.push(performance.now()))
      .observe(document.querySelector('#chart-summary'), { childList: true, characterData: true, subtree: true });
  });
  await page.click('#play');
  await page.waitForTimeout(3500);
  const times = await page.evaluate(() => window.__summaryChanges);
  const seconds = await simTime(page);
  assert.ok(seconds > 20, `${seconds} simulated seconds`);
  assert.ok(times.length >= 2 && times.length <= 5, `${times.length} changes in 3.5 s: ${times}`);
  for (let k = 1; k < times.length; k++) assert.ok(times[k] - times[k - 1] > 900, `changes ${times[k] - times[k - 1]} ms apart`);
  assert.deepEqual(log.errors, []);
  await page.close();
});

/** Bounding boxes of the visible elements matching each selector. */
function boxes(page, selectors) {
  return page.evaluate((sels) => sels.map((s) => {
    const e = document.querySelector(s);
    if (!e || !e.offsetParent) return null;
    const r = e.getBoundingClientRect();
    return { s, left: r.left, top: r.top + scrollY, right: r.right, bottom: r.bottom + scrollY };
  }), selectors);
}

const overlap = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;

test('screen sizes: the central chart above the fold at 1280×800; nothing overlaps at 390×844 with a lesson open', async () => {
  const { page: wide, log: wideLog } = await openPage(env.browser.context, `${env.srv.url}?lesson=backpressure-deadlines`);
  await ready(wide);
  const [chart] = await boxes(wide, ['#chart-traffic']);
  assert.ok(chart.bottom <= 800, `the traffic chart ends at ${chart.bottom} px, below the fold`);
  await screenshot(wide, 'keyboard-6-1280x800-lesson.png');
  assert.deepEqual(wideLog.errors, []);
  await wide.close();

  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?lesson=backpressure-deadlines`, { width: 390, height: 844 });
  await ready(page);
  const scrollW = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(scrollW <= 390, `the page scrolls sideways: ${scrollW} px wide`);
  const found = (await boxes(page, ['.toolbar', '#lesson', '#topology', '.charts', '#chart-traffic', '#insight', '#perf'])).filter(Boolean);
  assert.ok(found.some((b) => b.s === '#lesson') && found.some((b) => b.s === '#chart-traffic'));
  const blocks = found.filter((b) => b.s !== '#chart-traffic');
  for (const a of blocks) for (const b of blocks) if (a !== b) assert.ok(!overlap(a, b), `${a.s} overlaps ${b.s}: ${JSON.stringify([a, b])}`);
  const perf = found.find((b) => b.s === '#perf');
  const traffic = found.find((b) => b.s === '#chart-traffic');
  if (perf) assert.ok(!overlap(perf, traffic), 'the performance overlay covers the central chart');
  await screenshot(page, 'keyboard-7-390x844-lesson.png');
  await page.screenshot({ path: new URL('./artifacts/keyboard-8-390x844-full.png', import.meta.url).pathname, fullPage: true });
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('at 1280×800 the performance overlay covers no chart, wherever the page is scrolled', async () => {
  for (const url of [`${env.srv.url}?speed=4&play`, `${env.srv.url}?lesson=backpressure-deadlines&speed=4&play`]) {
    const { page, log } = await openPage(env.browser.context, url);
    await ready(page);
    await page.waitForSelector('#perf [class], #perf span');
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    for (let y = 0; y <= height; y += 200) {
      await page.evaluate((y) => window.scrollTo(0, y), y);
      // Viewport coordinates: the overlay is fixed, the charts scroll.
      const hit = await page.evaluate(() => {
        const box = (e) => e.getBoundingClientRect();
        const p = box(document.querySelector('#perf'));
        const on = (r) => p.left < r.right - 1 && r.left < p.right - 1 && p.top < r.bottom - 1 && r.top < p.bottom - 1;
        return [...document.querySelectorAll('.chart, canvas, .system')].filter((e) => e.offsetParent && on(box(e))).map((e) => e.id || e.className);
      });
      assert.deepEqual(hit, [], `${url} scrolled to ${y}: the overlay covers ${hit}`);
    }
    await page.evaluate(() => window.scrollTo(0, 0));
    if (url.includes('lesson')) await screenshot(page, 'keyboard-9-1280x800-perf.png');
    assert.deepEqual(log.errors, []);
    await page.close();
  }
});

test('a 2 s WebM recording of the diagram and the central chart downloads as brink.webm', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?lesson=backpressure-deadlines&speed=10`);
  await ready(page);
  await page.click('#play');
  await page.click('#record-webm');
  assert.equal(await page.getAttribute('#record-webm', 'aria-pressed'), 'true');
  await page.waitForTimeout(2000);
  const [file] = await Promise.all([page.waitForEvent('download'), page.click('#record-webm')]);
  assert.equal(file.suggestedFilename(), 'brink.webm');
  const bytes = await readAll(await file.createReadStream());
  assert.ok(bytes.length > 1000, `${bytes.length} bytes`);
  assert.deepEqual([...bytes.subarray(0, 4)], [0x1a, 0x45, 0xdf, 0xa3], 'EBML magic');
  assert.ok(bytes.includes(Buffer.from('webm')), 'DocType webm');
  await page.waitForFunction(() => document.querySelector('#record-webm').getAttribute('aria-pressed') === 'false');
  assert.deepEqual(log.errors, []);
  await page.close();
});

async function readAll(stream) {
  const parts = [];
  for await (const chunk of stream) parts.push(chunk);
  return Buffer.concat(parts);
}
