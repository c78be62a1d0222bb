// The system diagram's legibility, checked with bounding boxes: five
// services of 32 nodes each built in the system editor at 1280×800 (a
// chain with an arrow skipping three layers, and a fan-out of four), the
// same on a 390 px phone where the services stack and nothing on the page
// overlaps, and the request dots: a shape and a word per fate, timed-out
// dots fading part-way instead of reaching the callee.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, ready, simTime, screenshot, useBrowser } from './helpers.mjs';

const env = useBrowser();
const PHONE = { width: 390, height: 844 };
const FIVE = ['app', 'auth', 'orders', 'payments', 'ledger'];
const CHAIN = [['app', 'auth'], ['auth', 'orders'], ['orders', 'payments'], ['payments', 'ledger'], ['app', 'ledger']];
const FAN = [['app', 'auth'], ['app', 'orders'], ['app', 'payments'], ['app', 'ledger']];

/**
 * Builds five services of 32 nodes each in the system editor, from a
 * single tier of 32 nodes (the entry, "app"), with `calls`, then resets so
 * that the run takes them and plays.
 */
async function buildFive(page, calls) {
  const phone = await page.isVisible('.drawer-toggle');
  if (phone) await page.click('.drawer-toggle');
  for (const name of FIVE.slice(1)) {
    await page.fill('#add-service [aria-label="Service name"]', name);
    await page.fill('#add-service [aria-label="Nodes"]', '32');
    await page.click('#add-service button[type="submit"]');
  }
  for (const [from, to] of calls) {
    await page.selectOption('#add-call [aria-label="Caller"]', { label: from });
    await page.selectOption('#add-call [aria-label="Callee"]', { label: to });
    await page.click('#add-call button[type="submit"]');
  }
  assert.deepEqual(await page.$$eval('.notice--error', (els) => els.map((e) => e.textContent)), [], 'every edit is valid');
  if (phone) {
    await page.click('.sidebar__close');
    await page.waitForFunction(() => document.querySelector('#knobs').getBoundingClientRect().right <= 0);
  }
  await page.click('#reset');
  await page.waitForFunction(() => document.querySelectorAll('#topology [data-service]').length === 5);
  await page.click('#play');
  const t = await simTime(page);
  await page.waitForFunction((t) => Number(document.querySelector('#status').dataset.simTime) > t + 2, t, { timeout: 30_000 });
}

/**
 * Everything wrong with the diagram now: cards overlapping or leaving the
 * diagram or the viewport sideways, names cut, card content clipped, node
 * squares too small or missing, arrows or labels running through a card
 * that is not their own end, and sideways scrolling.
 */
async function diagramProblems(page) {
  return page.evaluate(() => {
    const problems = [];
    const topo = document.querySelector('#topology');
    const T = topo.getBoundingClientRect();
    const cards = [...topo.querySelectorAll('[data-service]')].map((e) => ({ name: e.dataset.service, e, r: e.getBoundingClientRect() }));
    const inside = (r, x, y, pad = 3) => x > r.left + pad && x < r.right - pad && y > r.top + pad && y < r.bottom - pad;
    cards.forEach(({ name, e, r }, i) => {
      if (r.left < T.left - 0.5 || r.right > T.right + 0.5) problems.push(`${name} leaves the diagram: x ${r.left}–${r.right} of ${T.left}–${T.right}`);
      if (r.left < 0 || r.right > innerWidth) problems.push(`${name} leaves the viewport: x ${r.left}–${r.right}`);
      for (const o of cards.slice(i + 1)) {
        const q = o.r;
        if (r.left < q.right && q.left < r.right && r.top < q.bottom && q.top < r.bottom) problems.push(`${name} overlaps ${o.name}`);
      }
      const label = e.querySelector('.svc__name');
      if (label.scrollWidth > label.clientWidth + 0.5 || label.getBoundingClientRect().width < 4) problems.push(`${name}'s name is cut`);
      if (e.scrollHeight > e.clientHeight + 1) problems.push(`${name}'s card clips its content: ${e.scrollHeight} > ${e.clientHeight}`);
      for (const line of e.querySelectorAll('.svc__head, .svc__q, .svc__states')) {
        if (line.getBoundingClientRect().bottom > r.bottom - 1) problems.push(`${name}: "${line.textContent}" is cut at the bottom`);
        if (line.scrollWidth > line.clientWidth + 0.5) problems.push(`${name}: "${line.textContent}" is cut at the side`);
      }
      const squares = [...e.querySelectorAll('.sq')].map((s) => s.getBoundingClientRect());
      if (squares.length !== Number(e.dataset.nodes)) problems.push(`${name} shows ${squares.length} of ${e.dataset.nodes} nodes`);
      const small = squares.filter((s) => s.width < 8 || s.height < 8 || s.bottom > r.bottom - 1);
      if (small.length) problems.push(`${name}: ${small.length} node squares under 8 px or cut (${small[0].width}×${small[0].height})`);
    });
    for (const g of topo.querySelectorAll('g.edge')) {
      const path = g.querySelector('.edge__line');
      const m = path.getScreenCTM();
      const len = path.getTotalLength();
      for (let l = 0; l <= len; l += 2) {
        const p = new DOMPoint(path.getPointAtLength(l).x, path.getPointAtLength(l).y).matrixTransform(m);
        for (const { name, r } of cards) {
          if (name === g.dataset.from || name === g.dataset.to) continue;
          if (inside(r, p.x, p.y)) {
            problems.push(`the arrow ${g.dataset.from}→${g.dataset.to} runs through ${name} at ${p.x.toFixed(0)},${p.y.toFixed(0)}`);
            break;
          }
        }
      }
      const label = g.querySelector('.edge__label');
      if (!label) continue;
      const a = label.getBoundingClientRect();
      for (const { name, r } of cards) {
        if (a.left < r.right - 0.5 && r.left < a.right - 0.5 && a.top < r.bottom && r.top < a.bottom) problems.push(`the label of ${g.dataset.from}→${g.dataset.to} runs into ${name}`);
      }
    }
    if (topo.scrollWidth > topo.clientWidth + 1) problems.push(`the diagram scrolls: ${topo.scrollWidth} > ${topo.clientWidth}`);
    if (document.documentElement.scrollWidth > innerWidth + 1) problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth}`);
    return [...new Set(problems)];
  });
}

/** Scrolls the diagram's top just below the sticky toolbar. */
async function scrollToDiagram(page) {
  await page.$eval('#topology', (e) => {
    const bar = document.querySelector('.toolbar')?.getBoundingClientRect().bottom ?? 0;
    window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - bar - 8);
  });
  await page.waitForTimeout(300);
}

/** Where the clients' arrowhead points, and the card of the service it names. */
async function clientsArrow(page) {
  return page.evaluate(() => {
    const g = document.querySelector('g.edge--clients');
    const head = g.querySelector('.edge__head');
    const [x, y] = head.getAttribute('points').split(' ')[0].split(',').map(Number);
    const tip = new DOMPoint(x, y).matrixTransform(head.getScreenCTM());
    const r = document.querySelector(`[data-service="${g.dataset.to}"]`).getBoundingClientRect();
    return { to: g.dataset.to, x: tip.x, y: tip.y, left: r.left, right: r.right, top: r.top, bottom: r.bottom };
  });
}

for (const [label, calls] of [['a chain with an arrow skipping three layers', CHAIN], ['a fan-out of four', FAN]]) {
  test(`5 services × 32 nodes at 1280×800, ${label}: side by side, legible, nothing overlaps`, async () => {
    const { page, log } = await openPage(env.browser.context, `${env.srv.url}?nodes=32&speed=10`);
    await ready(page);
    await buildFive(page, calls);
    assert.equal(await page.getAttribute('#topology', 'data-layout'), 'layers');
    assert.deepEqual(await diagramProblems(page), []);
    const arrows = await page.$$eval('g.edge:not(.edge--clients)', (els) => els.map((e) => `${e.dataset.from}→${e.dataset.to}`).sort());
    assert.deepEqual(arrows, calls.map(([a, b]) => `${a}→${b}`).sort());
    const c = await clientsArrow(page);
    assert.equal(c.to, 'app', 'the clients call the entry');
    assert.ok(Math.abs(c.x - c.left) < 2 && c.y > c.top && c.y < c.bottom, `the clients' arrow points into the entry's left side: ${JSON.stringify(c)}`);
    if (calls === CHAIN) {
      const compact = await page.$$eval('.svc--compact', (els) => els.length);
      assert.equal(compact, 5, 'five layers: compact cards');
      const skip = await page.$eval('g.edge[data-from="app"][data-to="ledger"] .edge__line', (p) => p.getAttribute('d'));
      assert.equal(skip.split('L').length, 4, `the skipping arrow detours: ${skip}`);
    }
    await scrollToDiagram(page);
    assert.deepEqual(await diagramProblems(page), [], 'still after scrolling');
    await screenshot(page, `systems-5x32-${calls === CHAIN ? 'chain' : 'fan'}-desktop.png`);
    assert.deepEqual(log.errors, []);
    await page.close();
  });
}

/**
 * Pairs of the page's main blocks that overlap on the page (diagram,
 * chart selector, each chart, the insight line, the performance overlay).
 */
async function pageOverlaps(page) {
  return page.evaluate(() => {
    const blocks = [
      ['diagram', document.querySelector('.main .system')],
      ['chart selector', document.querySelector('.chart-selector')],
      ...[...document.querySelectorAll('.chart')].map((e) => [e.querySelector('canvas').id, e]),
      ['main chart legend', document.querySelector('.chart--main figcaption')],
      ['insight', document.querySelector('.insight')],
      ['performance overlay', document.querySelector('#perf')],
    ].filter(([, e]) => e);
    const boxes = blocks.map(([name, e]) => {
      const r = e.getBoundingClientRect();
      return { name, l: r.left, r: r.right, t: r.top + scrollY, b: r.bottom + scrollY };
    });
    const out = [];
    boxes.forEach((a, i) => {
      if (a.l < -0.5 || a.r > innerWidth + 0.5) out.push(`${a.name} leaves the screen: x ${a.l}–${a.r}`);
      for (const b of boxes.slice(i + 1)) {
        if (a.name === 'main chart legend' || b.name === 'main chart legend') {
          if ([a.name, b.name].includes('chart-traffic')) continue;
        }
        if (a.l < b.r && b.l < a.r && a.t < b.b && b.t < a.b) out.push(`${a.name} overlaps ${b.name}`);
      }
    });
    return out;
  });
}

test('at 390 px: 5 services × 32 nodes stack in one column, arrows beside them, nothing on the page overlaps', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?nodes=32&speed=10`, PHONE);
  await ready(page);
  await buildFive(page, [...FAN, ['auth', 'ledger'], ['orders', 'payments']]);
  assert.equal(await page.getAttribute('#topology', 'data-layout'), 'stacked');
  assert.deepEqual(await diagramProblems(page), []);
  const column = await page.$$eval('#topology [data-service]', (els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ l: r.left, t: r.top, b: r.bottom })));
  assert.ok(column.every((c) => Math.abs(c.l - column[0].l) < 0.5), 'one column');
  column.slice(1).forEach((c, i) => assert.ok(c.t >= column[i].b + 10, 'top to bottom, apart'));
  // Each card lists its calls in words, since the lanes carry no labels.
  const listed = await page.$eval('[data-service="app"] .svc__calls', (e) => [...e.children].map((c) => c.textContent));
  assert.equal(listed.length, 4);
  assert.ok(listed.every((l) => /^→ \w+ · [\d.]+k?\/s/.test(l)), listed.join(' | '));
  const c = await clientsArrow(page);
  assert.ok(c.to === 'app' && Math.abs(c.y - c.top) < 2 && c.x > c.left && c.x < c.right, `the clients' arrow points into the entry's top: ${JSON.stringify(c)}`);
  assert.deepEqual(await pageOverlaps(page), []);
  // The knob drawer is off screen while closed, and on screen, closable, when open.
  assert.ok((await page.$eval('#knobs', (e) => e.getBoundingClientRect().right)) <= 0, 'the closed drawer is off screen');
  await scrollToDiagram(page);
  await screenshot(page, 'systems-5x32-phone-diagram.png');
  await page.$eval('#perf', (e) => e.scrollIntoView({ block: 'end' }));
  await page.waitForTimeout(200);
  await screenshot(page, 'systems-5x32-phone-bottom.png');
  await page.click('.drawer-toggle');
  await page.waitForFunction(() => document.querySelector('#knobs').getBoundingClientRect().left >= 0);
  const drawer = await page.$eval('#knobs', (e) => e.getBoundingClientRect().toJSON());
  assert.ok(drawer.right <= PHONE.width, `the open drawer fits the screen: ${JSON.stringify(drawer)}`);
  assert.ok(await page.isVisible('.sidebar__close'));
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('at 390 px: the shared-dependency template stacks, and the performance overlay stays off the charts', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?template=shared-dependency&speed=10&play`, PHONE);
  await ready(page);
  await page.waitForFunction(() => Number(document.querySelector('#status').dataset.simTime) > 2, null, { timeout: 30_000 });
  assert.equal(await page.getAttribute('#topology', 'data-layout'), 'stacked');
  assert.deepEqual(await diagramProblems(page), []);
  assert.deepEqual(await pageOverlaps(page), []);
  // Wherever the page is scrolled, the overlay covers no chart.
  for (const id of ['chart-traffic', 'chart-latency', 'chart-errors', 'chart-cpu']) {
    await page.$eval(`#${id}`, (e) => e.scrollIntoView({ block: 'end' }));
    const hit = await page.evaluate((id) => {
      const a = document.querySelector('#perf').getBoundingClientRect();
      const b = document.querySelector(`#${id}`).closest('.chart').getBoundingClientRect();
      return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    }, id);
    assert.equal(hit, false, `the overlay covers ${id}`);
  }
  await scrollToDiagram(page);
  await screenshot(page, 'systems-shared-dependency-phone.png');
  assert.deepEqual(log.errors, []);
  await page.close();
});

/** Each dot of `selector` sampled every 50 ms for `ms`: its furthest offset along its arrow (%) and least opacity. */
async function sampleDots(page, selector, ms) {
  return page.evaluate(async ({ selector, ms }) => {
    const seen = new Map();
    const t0 = performance.now();
    while (performance.now() - t0 < ms) {
      document.querySelectorAll(selector).forEach((d, i) => {
        const s = getComputedStyle(d);
        const prev = seen.get(i) ?? { far: 0, faint: 1 };
        seen.set(i, { far: Math.max(prev.far, parseFloat(s.offsetDistance)), faint: Math.min(prev.faint, Number(s.opacity)) });
      });
      await new Promise((r) => setTimeout(r, 50));
    }
    return [...seen.values()];
  }, { selector, ms });
}

test('request dots: a shape and a word per fate; timed-out dots fade part-way, never reaching the callee', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?template=gateway-api-db&speed=4&play`);
  await ready(page);
  await page.waitForFunction(() => Number(document.querySelector('#status').dataset.simTime) > 2, null, { timeout: 30_000 });
  const keys = await page.$$eval('#topology-legend .topo__key', (els) => els.map((e) => ({ fate: e.dataset.fate, d: e.querySelector('path').getAttribute('d'), word: e.textContent.trim() })));
  assert.deepEqual(keys.map((k) => k.fate), ['ok', 'failed', 'timed-out', 'retry']);
  assert.equal(new Set(keys.map((k) => k.d)).size, 4, 'four shapes, not only four colours');
  assert.ok(keys.every((k) => k.word.length > 3), 'each in words');
  const perEdge = await page.$$eval('g.edge', (els) => els.map((e) => e.querySelectorAll('.req:not(.req--off)').length));
  assert.ok(perEdge.every((n) => n <= 8), `at most 8 dots an arrow: ${perEdge}`);
  const ok = await sampleDots(page, 'g.edge[data-from="gateway"][data-to="api"] .req--ok', 2500);
  assert.ok(ok.length > 0 && ok.every((d) => d.far > 80), `successes reach the callee: ${JSON.stringify(ok)}`);
  await page.click('[data-service="api"]');
  await page.click('[data-fault="Partition"]');
  await page.waitForSelector('g.edge[data-from="api"][data-to="database"] .req--timed-out', { timeout: 20_000 });
  await scrollToDiagram(page);
  await screenshot(page, 'systems-dots-partition.png');
  const gaveUp = await sampleDots(page, 'g.edge[data-from="api"][data-to="database"] .req--timed-out', 2000);
  assert.ok(gaveUp.length > 0, 'timed-out dots on the cut call');
  assert.ok(gaveUp.every((d) => d.far <= 56), `they stop part-way: ${JSON.stringify(gaveUp)}`);
  assert.ok(gaveUp.some((d) => d.faint < 0.3), `and fade there: ${JSON.stringify(gaveUp)}`);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('per frame at 50×, the diagram updates attributes and text in place, never rebuilding its elements', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?template=gateway-api-db&speed=50&play`);
  await ready(page);
  await page.waitForFunction(() => Number(document.querySelector('#status').dataset.simTime) > 5, null, { timeout: 30_000 });
  const m = await page.evaluate(async () => {
    const topo = document.querySelector('#topology');
    const counts = { added: 0, removed: 0, attributes: 0, text: 0, frames: 0 };
    const obs = new MutationObserver((records) => {
      for (const r of records) {
        if (r.type === 'attributes') counts.attributes++;
        else if (r.type === 'characterData') counts.text++;
        else {
          counts.added += [...r.addedNodes].filter((n) => n.nodeType === 1).length;

          counts.removed += [...r.removedNodes].filter((n) => n.nodeType === 1).length;
          counts.text += [...r.addedNodes].filter((n) => n.nodeType === 3).length;
        }
      }
    });
    obs.observe(topo, { subtree: true, childList: true, attributes: true, characterData: true });
    const dots = topo.querySelectorAll('.req:not(.req--off)').length;
    const t0 = performance.now();
    await new Promise((done) => {
      const tick = () => (performance.now() - t0 < 3000 ? (counts.frames++, requestAnimationFrame(tick)) : done());
      requestAnimationFrame(tick);
    });
    obs.disconnect();
    return { ...counts, dots, elements: topo.querySelectorAll('*').length };
  });
  console.log(`diagram over ${m.frames} frames at 50×: ${m.elements} elements (${m.dots} dots); ${m.added} added, ${m.removed} removed, ${m.attributes} attribute and ${m.text} text changes`);
  assert.ok(m.frames > 10, JSON.stringify(m));
  // Dots come and go only as an arrow's rate crosses a dot's worth; the
  // cards, arrows and labels are never rebuilt.
  assert.ok(m.added <= m.frames / 4 && m.removed <= m.frames / 4, `elements rebuilt: ${JSON.stringify(m)}`);
  assert.deepEqual(log.errors, []);
  await page.close();
});
