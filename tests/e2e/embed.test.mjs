// Embed mode (?embed): the compact view for an <iframe> at 600×400, with
// only the knobs listed in &knobs=, paused unless &play, "Open in Brink" to
// the full playground in the same state, and no animation while the iframe
// is scrolled out of the host page's view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
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

/** An `s=` value made outside the page: version 1 is base64url(deflate(json)). */
function sValue(scenario) {
  return `1.${deflateRawSync(Buffer.from(JSON.stringify(scenario))).toString('base64url')}`;
}

/** A chain of `names`, each calling the next, 4 nodes each, as an `s=` value. */
function chain(names) {
  const services = names.map((name, i) => ({ name, nodes: { count: 4 }, calls: i + 1 < names.length ? [{ to: names[i + 1] }] : [] }));
  return sValue({ config: { traffic: { rate_per_s: 800 }, services } });
}

/**
 * Everything wrong with the system diagram of an embed in viewport `vp`:
 * a card (or one of its node squares) outside the viewport or the diagram's
 * column, squares under 6 px, cards overlapping each other, the chart or
 * the knobs, an arrow missing or leaving the column, the diagram scrolling.
 */
async function systemProblems(page, vp, services, calls) {
  return page.evaluate(({ vp, services, calls }) => {
    const out = [];
    const box = (e) => e.getBoundingClientRect();
    const meet = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
    const within = (a, b) => a.left >= b.left - 0.5 && a.right <= b.right + 0.5 && a.top >= b.top - 0.5 && a.bottom <= b.bottom + 0.5;
    const column = box(document.querySelector('.embed__diagram'));
    const view = { left: 0, top: 0, right: vp.width, bottom: vp.height };
    const others = ['#chart-traffic', '#knobs', '.embed__bar'].map((s) => document.querySelector(s)).filter(Boolean).map((e) => [e.id || e.className, box(e)]);
    const cards = [...document.querySelectorAll('#topology [data-service]')];
    const names = cards.map((c) => c.dataset.service);
    if (JSON.stringify([...names].sort()) !== JSON.stringify([...services].sort())) out.push(`cards ${names} instead of ${services}`);
    cards.forEach((c, i) => {
      const r = box(c);
      if (!within(r, view) || !within(r, column)) out.push(`${names[i]} lies outside the viewport or the column: ${JSON.stringify(r)}`);
      for (const [what, o] of others) if (meet(r, o)) out.push(`${names[i]} overlaps ${what}`);
      cards.slice(i + 1).forEach((d, j) => meet(r, box(d)) && out.push(`${names[i]} overlaps ${names[i + 1 + j]}`));
      const squares = [...c.querySelectorAll('.sq')];
      if (squares.length === 0) out.push(`${names[i]} shows no nodes`);
      for (const q of squares) {
        const s = box(q);
        if (s.width < 6 || s.height < 6 || !within(s, r)) out.push(`${names[i]}: a node square of ${s.width}×${s.height} px, or outside its card`);
      }
      if (!within(box(c.querySelector('.svc__name')), r)) out.push(`${names[i]}: its name is cut`);
    });
    const edges = [...document.querySelectorAll('#topology .edge')];
    if (!edges.some((e) => e.dataset.from === 'clients' && e.dataset.to === services[0])) out.push('no clients → entry arrow');
    for (const [from, to] of calls) {
      if (!edges.some((e) => e.dataset.from === from && e.dataset.to === to)) out.push(`no arrow ${from} → ${to}`);
    }
    if (edges.length !== calls.length + 1) out.push(`${edges.length} arrows for ${calls.length} calls and the clients`);
    for (const e of edges) {
      const line = box(e.querySelector('.edge__line'));
      if (!within(line, column)) out.push(`the arrow ${e.dataset.from} → ${e.dataset.to} leaves the column`);
    }
    const fit = document.querySelector('#topology .topo__fit');
    if (fit.scrollHeight > fit.clientHeight + 1 || fit.scrollWidth > fit.clientWidth + 1) out.push(`the diagram scrolls: ${fit.scrollWidth}×${fit.scrollHeight} in ${fit.clientWidth}×${fit.clientHeight}`);
    if (document.querySelector('#topology-more')) out.push('it says services are hidden');
    return out;
  }, { vp, services, calls });
}

/** Opens `query` in embed mode at `vp`, plays two simulated seconds, and returns the page. */
async function openSystem(query, vp) {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?speed=4&embed&${query}`, vp);
  await ready(page);
  await page.click('#play');
  await page.waitForFunction(() => Number(document.querySelector('#status').dataset.simTime) > 2, null, { timeout: 30_000 });
  return { page, log };
}

test('a system of services embedded at 600×400 and 800×450 shows every card, arrow and node whole', async () => {
  const GATEWAY = ['gateway', 'api', 'database'];
  for (const [vp, knobs, name] of [[SMALL, 'rate,attempts', 'embed-system-600x400.png'], [{ width: 800, height: 450 }, 'rate,attempts,backoff,timeout', 'embed-system-800x450.png']]) {
    const { page, log } = await openSystem(`template=gateway-api-db&knobs=${knobs}`, vp);
    assert.equal(await page.getAttribute('#topology', 'data-layout'), 'dense');
    assert.equal(await page.getAttribute('#topology', 'data-hidden'), '0');
    assert.deepEqual(await systemProblems(page, vp, GATEWAY, [['gateway', 'api'], ['api', 'database']]), [], `${vp.width}×${vp.height}`);
    await assertFits(page, vp);
    // Dots travel on the arrows, and a card still selects its service.
    assert.ok(await page.$$eval('#topology .edge:not(.edge--clients) .req:not(.req--off)', (d) => d.length) > 0, 'dots travel');
    await page.click('#topology [data-service="api"]');
    assert.equal(await page.getAttribute('#topology [data-service="api"]', 'aria-pressed'), 'true');
    console.log(`screenshot: ${await screenshot(page, name)}`);
    assert.deepEqual(log.errors, []);
    await page.close();
  }
});

test('every template, and a chain of four, fits a 600×400 embed; a longer chain says what is below', async () => {
  const four = ['edge', 'api', 'orders', 'ledger'];
  const cases = [
    ['template=fan-out', ['api', 'users', 'orders', 'search'], [['api', 'users'], ['api', 'orders'], ['api', 'search']]],
    ['template=shared-dependency', ['front', 'checkout', 'catalog', 'ledger'], [['front', 'checkout'], ['front', 'catalog'], ['checkout', 'ledger'], ['catalog', 'ledger']]],
    [`s=${chain(four)}`, four, [['edge', 'api'], ['api', 'orders'], ['orders', 'ledger']]],
  ];
  for (const [query, services, calls] of cases) {
    const { page, log } = await openSystem(`${query}&knobs=rate`, SMALL);
    assert.deepEqual(await systemProblems(page, SMALL, services, calls), [], query);
    await assertFits(page, SMALL);
    if (query.startsWith('template=shared')) await screenshot(page, 'embed-shared-600x400.png');
    assert.deepEqual(log.errors, [], query);
    await page.close();
  }
  const eight = ['s1', 's2', 's3', 's4', 's5', 's6', 's7', 's8'];
  const { page, log } = await openSystem(`s=${chain(eight)}&knobs=rate,attempts`, SMALL);
  const hidden = Number(await page.getAttribute('#topology', 'data-hidden'));
  assert.ok(hidden >= 1, `${hidden} hidden`);
  assert.match(await page.textContent('#topology-more'), new RegExp(`^\\+${hidden} more services? below: scroll, or Open in Brink`));
  // The count is right: that many cards end below the diagram's box.
  const below = await page.evaluate(() => {
    const fit = document.querySelector('#topology .topo__fit').getBoundingClientRect();
    return [...document.querySelectorAll('#topology [data-service]')].filter((c) => c.getBoundingClientRect().bottom > fit.bottom + 0.5).length;
  });
  assert.equal(below, hidden);
  await assertFits(page, SMALL);
  await screenshot(page, 'embed-chain8-600x400.png');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('on a 390 px phone the embedded system keeps a diagram box of its own, above the chart', async () => {
  const PHONE = { width: 390, height: 844 };
  const { page, log } = await openSystem('template=shared-dependency&knobs=rate', PHONE);
  const calls = [['front', 'checkout'], ['front', 'catalog'], ['checkout', 'ledger'], ['catalog', 'ledger']];
  assert.deepEqual(await systemProblems(page, PHONE, ['front', 'checkout', 'catalog', 'ledger'], calls), []);
  const found = await boxes(page, ['.embed__diagram', '#chart-traffic', '#knobs']);
  assert.ok(found[0].bottom - found[0].top >= 250, `the diagram has room: ${JSON.stringify(found[0])}`);
  for (let i = 1; i < found.length; i++) assert.ok(found[i].top >= found[i - 1].bottom - 1, JSON.stringify(found));
  await screenshot(page, 'embed-system-390.png');
  assert.deepEqual(log.errors, []);
  await page.close();
});
