// 1,000 malformed links (random bytes, huge numbers, NaN, negatives,
// markup and script, truncated, corrupted and oversized `s=` values, 100 KB
// parameters) each open with notices naming the parameter, no console
// error, no CSP violation, interactive within 2 s (a slow load is timed
// once more), and no script run.
// One browser and two pages, navigating; generated from a fixed seed
// (BRINK_FUZZ_COUNT, BRINK_FUZZ_SEED, BRINK_FUZZ_PAGES and BRINK_FUZZ_BUDGET_MS
// override).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { openPage, ready, screenshot, serve, launch } from './helpers.mjs';

// The page may be cached: a thousand loads would otherwise each fetch and
// compile the WebAssembly again.
const env = { srv: null, browser: null };
before(async () => {
  env.srv = await serve(undefined, { cache: true });
  env.browser = await launch();
});
after(async () => {
  await env.browser?.close();
  await env.srv?.close();
});
const COUNT = Number(process.env.BRINK_FUZZ_COUNT ?? 1000);
const SEED = Number(process.env.BRINK_FUZZ_SEED ?? 20261202);
const PAGES = Number(process.env.BRINK_FUZZ_PAGES ?? 2);
// The budget for a page to become interactive, ms (the issue asks for 2 s).
const BUDGET_MS = Number(process.env.BRINK_FUZZ_BUDGET_MS ?? 2_000);

/** xorshift32: a small portable generator, so a failure replays from its seed. */
function rng(seed) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n), pick: (a) => a[Math.floor(next() * a.length)] };
}

const sValue = (json) => `1.${deflateRawSync(Buffer.from(json)).toString('base64url')}`;
const GOOD_S = sValue(
  JSON.stringify({
    config: { seed: 5, services: [{ name: 'api', calls: [{ to: 'db', client: { attempts: 4 } }] }, { name: 'db' }] },
    speed: 20,
    view: { selected_service: 1 },
  }),
);
const PARAMS = ['rate', 'nodes', 'timeout', 'attempts', 'seed', 'speed', 'backoff', 'lb', 'crash', 'template', 'queue', 'workers', 'service_ms', 's'];
const SCRIPTS = [
  '<script>window.__pwned=1</script>',
  '"><img src=x onerror="window.__pwned=1">',
  "javascript:window.__pwned=1",
  '<svg onload=window.__pwned=1>',
  '%3Cscript%3Ewindow.__pwned%3D1%3C%2Fscript%3E',
  "'-alert(1)-'",
];
const enc = encodeURIComponent;

/** One malformed query and what its notice must name (`null`: a notice or a clean open). */
function malformed(r, i) {
  const p = r.pick(PARAMS.filter((x) => x !== 's' && x !== 'crash'));
  switch (i % 12) {
    case 0: {
      const bytes = Array.from({ length: 1 + r.int(40) }, () => `%${r.int(256).toString(16).padStart(2, '0')}`).join('');
      return { q: `?${p}=${bytes}`, name: p };
    }
    case 1:
      return { q: `?${p}=${r.pick(['1e308', '1e999', '99999999999999999999999', '18446744073709551616', String(2 ** 64 * (1 + r.int(9)))])}`, name: p };
    case 2:
      return { q: `?${p}=${r.pick(['NaN', 'nan', 'Infinity', '-Infinity', 'inf', '0x10', '1e', '.'])}`, name: p };
    case 3:
      return { q: `?${p}=-${1 + r.int(1e6)}`, name: p };
    case 4:
      return { q: `?${r.pick([p, 's', 'template'])}=${enc(r.pick(SCRIPTS))}`, name: null, markup: true };
    case 5:
      return { q: `?${enc(r.pick(SCRIPTS))}=1`, name: null, markup: true };
    case 6:
      return { q: `?s=${GOOD_S.slice(0, 2 + r.int(GOOD_S.length - 3))}`, name: 's' };
    case 7: {
      const b = [...GOOD_S];
      for (let k = 0; k < 1 + r.int(4); k++) b[2 + r.int(b.length - 2)] = r.pick([...'ABCxyz019-_']);
      return { q: `?s=${b.join('')}`, name: null };
    }
    case 8: {
      const big = r.pick(['9', 'A', 'x', '%41']).repeat(r.pick([100_000, 34_000]));
      return r.pick([
        { q: `?${p}=${big}`, name: p },
        { q: `?s=1.${big}`, name: 's' },
        { q: `?${big}=1`, name: null },
      ]);
    }
    case 9:
      return r.pick([
        { q: `?s=${r.int(1000)}.${GOOD_S.slice(2)}`, name: 's' },
        { q: `?s=${sValue('{"config":{"nodes":{"count":0}}}')}`, name: 's' },
        { q: `?s=${sValue('{"config":{},"speed":1e9}')}`, name: 's' },
        { q: `?s=${sValue('{"config":{"bogus":1}}')}`, name: 's' },
        { q: `?s=${sValue(`{"config":{}${' '.repeat(600_000)}}`)}`, name: 's' },
        { q: `?s=${sValue('[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[')}`, name: 's' },
      ]);
    case 10:
      return { q: `?${Array.from({ length: 300 + r.int(700) }, (_, k) => `x${k}=${k}`).join('&')}`, name: '(query)' };
    default: {
      const junk = Array.from({ length: 1 + r.int(60) }, () => String.fromCharCode(33 + r.int(94))).join('');
      return { q: `?${enc(junk)}&${p}=${enc(junk)}`, name: p };
    }
  }
}

/** Opens `q` and waits until the page can be played; the time taken, ms
 * (`Infinity` when it was not playable within 10 s). */
async function timedOpen(page, q) {
  const t0 = Date.now();
  try {
    await page.goto(env.srv.url + q);
    await page.waitForSelector('#play:not([disabled])', { timeout: 10_000 });
  } catch (e) {
    if (e?.name !== 'TimeoutError') throw e;
    return Infinity;
  }
  return Date.now() - t0;
}

/** Opens link `i` on `page` and checks it; returns whether it showed a notice. */
async function check(page, i, { q, name, markup }, slow) {
  const what = `#${i} (seed ${SEED}) ${q.slice(0, 120)}`;
  // A load slower than 2 s is timed once more: a link that makes the page
  // slow is slow both times, while a machine shared with other work delays
  // one load now and then.
  // A load that never became playable is retried the same way: one CI run
  // saw a single load stall for 10 s while the same link, and all others,
  // opened in well under 2 s.
  let took = await timedOpen(page, q);
  if (took > BUDGET_MS) {
    console.log(`# ${what}: ${took} ms, opened once more`);
    took = Math.min(took, await timedOpen(page, q));
  }
  assert.ok(Number.isFinite(took), `${what}: not playable within 10 s, twice`);
  if (took > BUDGET_MS) slow.push(`${what}: ${took} ms`);
  const alerts = await page.$$eval('[role=alert] .notice__text', (els) => els.map((e) => e.textContent));
  if (name) assert.ok(alerts.some((t) => t.startsWith(`URL parameter ${name}`)), `${what}: ${alerts.join(' | ')}`);
  if (markup) assert.ok(alerts.length > 0, `${what}: no notice`);
  for (const t of alerts) assert.ok(t.length < 1_500, `${what}: a notice of ${t.length} characters`);
  // No script ran, and no element came from a parameter's markup.
  const probe = await page.evaluate(() => ({
    pwned: window.__pwned,
    foreign: document.querySelectorAll('.app img, .app script, .app iframe, .app [onerror], .app [onload]').length,
  }));
  assert.deepEqual(probe, { pwned: undefined, foreign: 0 }, what);
  if (i % 97 === 0 && alerts.length) {
    // Notices are dismissible.
    await page.click('[role=alert] .notice__close');
    assert.equal(await page.locator('[role=alert]').count(), alerts.length - 1, what);
  }
  if (i === 4) await screenshot(page, 'fuzz-script.png');
  return alerts.length > 0;
}

test(`${COUNT} malformed links open with notices, no console error and no script`, { timeout: 900_000 }, async () => {
  const r = rng(SEED);
  const links = Array.from({ length: COUNT }, (_, i) => malformed(r, i));
  // A few pages at once, each navigating through its share of the links:
  // the loads overlap their waits.
  const pages = [];
  for (let k = 0; k < PAGES; k++) {
    const { page, log } = await openPage(env.browser.context, env.srv.url);
    const watch = { page, log, csp: [], dialogs: [] };
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) watch.csp.push(m.text());
    });
    page.on('dialog', (d) => {
      watch.dialogs.push(d.message());
      d.dismiss();
    });
    await ready(page);
    pages.push(watch);
  }
  const slow = [];
  let noticed = 0;
  let next = 0;
  const started = Date.now();
  await Promise.all(
    pages.map(async ({ page }) => {
      while (next < COUNT) {
        const i = next++;
        if (await check(page, i, links[i], slow)) noticed++;
      }
    }),
  );
  const elapsed = Date.now() - started;
  console.log(`# ${COUNT} links on ${PAGES} pages in ${(elapsed / 1000).toFixed(1)} s; ${noticed} with notices`);
  assert.deepEqual(slow, [], `every page interactive within ${BUDGET_MS} ms`);
  for (const w of pages) {
    assert.deepEqual(w.log.errors, []);
    assert.deepEqual(w.csp, [], 'no CSP violation');
    assert.deepEqual(w.dialogs, []);
    await w.page.close();
  }
  assert.ok(noticed >= COUNT * 0.9, `${noticed} of ${COUNT} showed a notice`);
});
