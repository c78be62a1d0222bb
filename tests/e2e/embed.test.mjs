// Embed mode (?embed): the compact view for an <iframe> at 600×400, with
// only the knobs listed in &knobs=, paused unless &play, "Open in Brink" to
// the full playground in the same state, and no animation while the iframe
// is scrolled out of the host page's view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, ready, typeKnob, screenshot, useBrowser, simTime } from './helpers.mjs';

const env = useBrowser();
const SMALL = { width: 600, height: 400 };

/** The URL parameters of the knobs the page shows. */
async function shownKnobs(page) {
  return page.$$eval('#knobs [data-knob], #knobs [data-toggle]', (els) => els.map((e) => e.dataset.knob ?? e.dataset.toggle));
}

/** Bounding boxes of `selectors` (null where absent), CSS pixels. */
async function boxes(page, selectors) {
  return page.evaluate((sel) => sel.map((s) => {
    const e = document.querySelector(s);
    if (!e) return null;
    const r = e.getBoundingClientRect();
    return { s, left: r.left, top: r.top, right: r.right, bottom: r.bottom };
  }), selectors);
}

/** What the compact view must show whole, without scrolling. */
const WHOLE = ['.embed__diagram', '#chart-traffic', '#play', '#reset', '#open-in-brink', '#knobs'];

/** Asserts each of WHOLE lies inside the viewport `vp` and the page does not scroll. */
async function assertFits(page, vp) {
  for (const b of await boxes(page, WHOLE)) {
    assert.ok(b, 'every part is shown');
    assert.ok(b.left >= 0 && b.top >= 0 && b.right <= vp.width && b.bottom <= vp.height, `${b.s} lies outside ${vp.width}×${vp.height}: ${JSON.stringify(b)}`);
  }
  const [chart] = await boxes(page, ['#chart-traffic']);
  assert.ok(chart.bottom - chart.top >= 100, `the chart is too flat: ${JSON.stringify(chart)}`);
  const scroll = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.scrollHeight]);
  assert.ok(scroll[0] <= vp.width && scroll[1] <= vp.height, `the page scrolls: ${scroll}`);
}

/** Sim time of `frame` after `ms` of wall time, minus the time before. */
async function advance(frame, ms) {
  const t0 = await simTime(frame);
  await new Promise((ok) => setTimeout(ok, ms));
  return (await simTime(frame)) - t0;
}

test('embed at 600×400 shows only the listed knobs, starts paused, and plays', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?rate=150&embed&knobs=rate,backoff,nonsense`, SMALL);
  await ready(page);
  assert.deepEqual(await shownKnobs(page), ['rate', 'backoff']);
  // The unknown knob gets a notice naming it.
  assert.match(await page.textContent('.notices, body'), /"nonsense" is not a knob/);
  // Only the central chart; no toolbar, no sidebar.
  assert.equal(await page.$$eval('canvas', (c) => c.map((x) => x.id).join()), 'chart-traffic');
  assert.equal(await page.$('#lesson-menu'), null);
  assert.equal(await page.$('#copy-link'), null);
  // Everything fits the 600-pixel width (no horizontal scrolling).
  assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 600);
  // Paused until asked.
  assert.equal(await advance(page, 600), 0);
  assert.match(await page.textContent('#status'), /paused/);
  // The chart takes the height a dismissed notice leaves, and is redrawn at it while paused.
  await assertFits(page, SMALL);
  const before = await page.$eval('#chart-traffic', (c) => c.clientHeight);
  await page.click('.notice__close');
  await page.waitForFunction((h) => {
    const c = document.querySelector('#chart-traffic');
    return c.clientHeight > h && c.height === Math.round(c.clientHeight * Math.max(1, devicePixelRatio));
  }, before, { timeout: 5_000 });
  await assertFits(page, SMALL);
  await page.click('#play');
  await page.waitForFunction(() => Number(document.querySelector('#status').dataset.simTime) > 1);
  // The address bar keeps the embed's parameters (and now &play).
  const q = new URL(page.url()).searchParams;
  assert.ok(q.has('embed') && q.get('knobs') === 'rate,backoff' && q.has('play') && q.get('rate') === '150', page.url());
  // Diagram, chart, play/pause/reset, "Open in Brink" and the knobs all fit 600×400 while it runs.
  await assertFits(page, SMALL);
  const shot = await screenshot(page, 'embed-600x400.png');
  console.log(`screenshot: ${shot}`);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('embed at 800×450 fits whole with four knobs; at a 390 px phone it scrolls in one column without overlaps', async () => {
  const wide = { width: 800, height: 450 };
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?embed&knobs=rate,attempts,backoff,timeout`, wide);
  await ready(page);
  assert.equal((await shownKnobs(page)).length, 4);
  await assertFits(page, wide);
  await screenshot(page, 'embed-800x450.png');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForFunction(() => document.documentElement.scrollWidth <= 390);
  const found = await boxes(page, ['.embed__bar', '.embed__diagram', '#chart-traffic', '#knobs']);
  for (const b of found) assert.ok(b && b.left >= 0 && b.right <= 390, JSON.stringify(b));
  for (let i = 1; i < found.length; i++) {
    assert.ok(found[i].top >= found[i - 1].bottom - 1, `${found[i].s} overlaps ${found[i - 1].s}: ${JSON.stringify(found)}`);
  }
  await screenshot(page, 'embed-390.png');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('&play starts it running', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?embed&knobs=rate&play`, SMALL);
  await ready(page);
  await page.waitForFunction(() => Number(document.querySelector('#status').dataset.simTime) > 0.5);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('"Open in Brink" opens the full playground in the same state', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?attempts=2&seed=9&embed&knobs=rate,attempts`, SMALL);
  await ready(page);
  await typeKnob(page, 'rate', 123);
  await page.waitForFunction(() => new URL(location.href).searchParams.get('rate') === '123');
  const link = page.locator('#open-in-brink');
  assert.equal(await link.getAttribute('target'), '_blank');
  const [full] = await Promise.all([env.browser.context.waitForEvent('page'), link.click()]);
  await ready(full);
  const q = new URL(full.url()).searchParams;
  assert.ok(!q.has('embed') && !q.has('knobs'), full.url());
  assert.equal(await full.$eval('[data-knob="rate"] .knob__number', (e) => e.value), '123');
  assert.equal(await full.$eval('[data-knob="attempts"] .knob__number', (e) => e.value), '2');
  assert.equal(await full.$eval('#seed', (e) => e.value), '9');
  // The full page has the toolbar and every chart.
  assert.ok(await full.$('#copy-link'));
  assert.ok(await full.$('#chart-cpu'));
  assert.deepEqual(log.errors, []);
  await full.close();
  await page.close();
});

test('an embed scrolled out of the host page stops, and resumes when back', async () => {
  const page = await env.browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.setViewportSize({ width: 800, height: 600 });
  const src = `${env.srv.url}?speed=4&embed&knobs=rate&play`;
  await page.setContent(`<body style="margin:0"><iframe src="${src}" width="640" height="480" title="Brink"></iframe><div style="height:4000px"></div></body>`);
  const frame = await (await page.waitForSelector('iframe')).contentFrame();
  await frame.waitForSelector('#chart-traffic[data-seconds]', { timeout: 30_000 });
  assert.ok((await advance(frame, 800)) > 0, 'the visible embed runs');
  await page.evaluate(() => window.scrollTo(0, 3000));
  await new Promise((ok) => setTimeout(ok, 300));
  assert.equal(await advance(frame, 1000), 0, 'the hidden embed is paused');
  await page.evaluate(() => window.scrollTo(0, 0));
  await new Promise((ok) => setTimeout(ok, 300));
  assert.ok((await advance(frame, 800)) > 0, 'it resumes when back in view');
  assert.deepEqual(errors, []);
  await page.close();
});

test('"Copy embed code" gives a lazy iframe of the same scenario in embed mode', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?rate=150&attempts=1`);
  await ready(page);
  await page.evaluate(() => Object.defineProperty(navigator, 'clipboard', { value: undefined }));
  await page.click('#copy-embed');
  const code = await page.$eval('#embed-code', (e) => e.value);
  assert.match(code, /^<iframe src="[^"]+" width="640" height="480" loading="lazy" title="[^"]+"/);
  const src = code.match(/src="([^"]+)"/)[1].replaceAll('&amp;', '&');
  const q = new URL(src).searchParams;
  assert.ok(q.has('embed') && q.get('rate') === '150' && q.get('attempts') === '1', src);
  assert.equal(q.get('knobs'), 'rate,attempts');
  assert.deepEqual(log.errors, []);
  await page.close();
});
