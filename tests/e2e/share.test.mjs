// The link is the scenario: a system with knobs of its own on a service and
// a call edge, a seed, a speed and a view, copied as a link and reopened,
// reads back the same knobs and topology and replays the same series.
// Export and import: the exported TOML re-imports to the same totals, and
// `brink run --config` on it gives the page's totals; the CSV has
// `brink run --format csv`'s header.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { deflateRawSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPage, ready, typeKnob, screenshot, useBrowser, simTime } from './helpers.mjs';

const env = useBrowser();

/** Clicks `selector` and returns the text of the file it downloads. */
async function download(page, selector) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  return readFile(await file.path(), 'utf8');
}

/** Steps `n` simulated seconds with the "1 s" button. */
async function step(page, n) {
  for (let i = 0; i < n; i++) {
    const t = await simTime(page);
    await page.click('#step');
    await page.waitForFunction((t) => Number(document.querySelector('#status').dataset.simTime) > t + 0.5, t);
  }
}

/** Every control of the panel for every service and call: knobs, switches, menus. */
async function everyKnob(page) {
  const out = {};
  const names = await page.$$eval('[data-service]', (els) => els.map((e) => e.dataset.service));
  for (const name of names.length ? names : ['']) {
    if (name) await page.click(`[data-service="${name}"]`);
    out[name] = await page.$$eval('#knobs [data-knob], #knobs [data-toggle]', (els) =>
      els.map((e) => {
        const where = e.closest('[data-call]')?.dataset.call ?? '';
        const input = e.querySelector('.knob__number, select, input[type=checkbox]');
        const value = input?.type === 'checkbox' ? input.checked : input?.value;
        return `${where}/${e.dataset.knob ?? e.dataset.toggle}=${value}`;
      }),
    );
  }
  return out;
}

/** The topology: services with their nodes, and the arrows. */
async function topology(page) {
  return {
    services: await page.$$eval('[data-service]', (els) => els.map((e) => `${e.dataset.service}:${e.dataset.nodes}`)),
    arrows: (await page.$$eval('g.edge', (els) => els.map((e) => `${e.dataset.from}→${e.dataset.to}`))).sort(),
  };
}

/** The view: selected service, chart, speed, seed. */
async function view(page) {
  return {
    selected: await page.$$eval('.svc--selected', (els) => els.map((e) => e.dataset.service)),
    chart: await page.$eval('#chart-service', (e) => e.value),
    speed: await page.textContent('#speed-value'),
    seed: await page.$eval('#seed', (e) => e.value),
  };
}

/** The series' first `n` seconds, by name, from an exported JSON report. */
function firstSeconds(report, n) {
  return Object.fromEntries(Object.entries(report.series).map(([k, v]) => [k, Array.isArray(v) ? v.slice(0, n) : v]));
}

/** An `s=` value made outside the page: version 1 is base64url(deflate(json)). */
function sValue(scenario) {
  return `1.${deflateRawSync(Buffer.from(JSON.stringify(scenario))).toString('base64url')}`;
}

/** Console messages about the Content-Security-Policy. */
function watchCsp(page) {
  const seen = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) seen.push(m.text());
  });
  return seen;
}

test('a link with a custom topology and state reopens the same scenario and replays the same series', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?template=gateway-api-db&seed=4242&speed=7&rate=3300`);
  const csp = watchCsp(page);
  await ready(page);
  // A knob of one service and one of a call edge, then a new run on them.
  await page.click('[data-service="api"]');
  await typeKnob(page, 'service_ms', 7.5);
  await page.fill('[data-call="database"] [data-knob="attempts"] .knob__number', '4');
  await page.press('[data-call="database"] [data-knob="attempts"] .knob__number', 'Enter');
  await page.click('#reset');
  await page.selectOption('#chart-service', { label: 'api' });
  await page.click('[data-service="database"]');
  await step(page, 30);
  const original = JSON.parse(await download(page, '#export-json'));
  await page.click('#copy-link');
  await page.waitForFunction(() => document.querySelector('#copy-link').textContent.includes('Copied') || document.querySelector('#share-url'));
  const shown = await page.$eval('#share-url', (e) => e.value).catch(() => null);
  const link = await page.evaluate(() => location.href);
  if (shown) assert.equal(shown, link, 'the field shows the address bar');
  assert.match(link, /[?&]s=1\.[A-Za-z0-9_-]+/, link);
  const before = { view: await view(page), topology: await topology(page) };
  const knobs = await everyKnob(page);
  await screenshot(page, 'share-original.png');

  const { page: again, log: log2 } = await openPage(env.browser.context, link);
  const csp2 = watchCsp(again);
  await ready(again);
  assert.deepEqual({ view: await view(again), topology: await topology(again) }, before);
  assert.equal(before.view.selected[0], 'database');
  assert.equal(before.view.speed, '7×');
  await step(again, 30);
  const replay = JSON.parse(await download(again, '#export-json'));
  assert.deepEqual(firstSeconds(replay, 30), firstSeconds(original, 30), 'the same series, second by second');
  assert.deepEqual(replay.totals, original.totals);
  assert.ok(original.totals.offered > 30 * 3000, `the run ran: ${original.totals.offered}`);
  assert.deepEqual(await everyKnob(again), knobs, 'every knob of every service and call reads back');
  assert.equal(knobs.api.find((k) => k.startsWith('/service_ms=')), '/service_ms=7.5');
  assert.equal(knobs.api.find((k) => k.startsWith('database/attempts=')), 'database/attempts=4');
  await screenshot(again, 'share-reopened.png');
  assert.deepEqual([...log.errors, ...log2.errors], []);
  assert.deepEqual([...csp, ...csp2], [], 'no CSP violation');
  await page.close();
  await again.close();
});

test('exported TOML re-imports and runs natively to the same totals; the CSV has brink run’s header', async () => {
  const bin = process.env.BRINK_BIN;
  assert.ok(bin, 'BRINK_BIN names the brink binary');
  // A 20-second run (the duration has no knob): a scenario written by hand,
  // every field left out taking its default.
  const scenario = {
    config: { seed: 9, traffic: { rate_per_s: 3000, duration_s: 20 }, services: [{ name: 'api', calls: [{ to: 'db' }, { to: 'cache' }] }, { name: 'db' }, { name: 'cache' }] },
    speed: 200,
  };
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?s=${sValue(scenario)}`);
  const csp = watchCsp(page);
  await ready(page);
  await page.click('[data-service="api"]');
  await typeKnob(page, 'nodes', 3);
  await page.click('#reset');
  await page.click('#play');
  await page.waitForSelector('#status.status--ended', { timeout: 60_000 });
  const report = JSON.parse(await download(page, '#export-json'));
  const toml = await download(page, '#export-toml');
  const csv = await download(page, '#export-csv');
  const dir = await mkdtemp(join(tmpdir(), 'brink-share-'));
  const file = join(dir, 'scenario.toml');
  await writeFile(file, toml);
  const native = JSON.parse(execFileSync(bin, ['run', '--config', file], { encoding: 'utf8' }));
  assert.deepEqual(report.totals, native.totals, 'brink run --config gives the page’s totals');
  assert.deepEqual(report.series, native.series);
  const nativeCsv = execFileSync(bin, ['run', '--config', file, '--format', 'csv'], { encoding: 'utf8' });
  assert.equal(csv.split('\n')[0], nativeCsv.split('\n')[0], 'the same CSV header');
  assert.equal(csv, nativeCsv, 'the same CSV');

  // Re-import on a fresh page at other knobs: the same totals.
  const { page: other, log: log2 } = await openPage(env.browser.context, `${env.srv.url}?rate=100&speed=200`);
  await ready(other);
  await other.setInputFiles('#import-file', file);
  await other.waitForFunction(() => document.querySelectorAll('[data-service]').length === 3);
  await other.click('#play');
  await other.waitForSelector('#status.status--ended', { timeout: 60_000 });
  const reimported = JSON.parse(await download(other, '#export-json'));
  assert.deepEqual(reimported.totals, report.totals);

  // A bad file: a notice naming the line and the field; the run is kept.
  await writeFile(file, '[traffic]\nrate_per_s = "lots"\n');
  await other.setInputFiles('#import-file', file);
  await other.waitForSelector('.notice--error');
  const alerts = await other.locator('[role=alert]').allTextContents();
  assert.ok(alerts.some((t) => t.includes('line 2') && t.includes('traffic.rate_per_s')), alerts.join(' | '));
  assert.equal(await other.locator('[data-service]').count(), 3);
  // PNG of each chart.
  const pngs = [];
  other.on('download', (d) => pngs.push(d.suggestedFilename()));
  await other.click('#export-png');
  await other.waitForFunction(() => true);
  for (let i = 0; i < 50 && pngs.length < 4; i++) await other.waitForTimeout(100);
  assert.deepEqual(pngs.sort(), ['brink-chart-cpu.png', 'brink-chart-errors.png', 'brink-chart-latency.png', 'brink-chart-traffic.png']);
  await screenshot(other, 'share-import-error.png');
  assert.deepEqual([...log.errors, ...log2.errors], []);
  assert.deepEqual(csp, []);
  await page.close();
  await other.close();
});

test('embedded in a frame, the page ignores messages from the host and runs under its CSP', async () => {
  // The host page is on the test server's origin (a served text file,
  // rewritten): Chromium refuses a frame on 127.0.0.1 inside about:blank
  // (local network access checks).
  const { page } = await openPage(env.browser.context, `${env.srv.url}loader.js`);
  const csp = watchCsp(page);
  // The host page's own missing /favicon.ico is not the app's error.
  const errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.setContent(`<iframe id="brink" src="${env.srv.url}?rate=1234" width="1000" height="700"></iframe>`);
  const frame = await (await page.waitForSelector('#brink')).contentFrame();
  await frame.waitForSelector('#chart-traffic[data-seconds]', { timeout: 30_000 });
  const rate = () => frame.$eval('[data-knob="rate"] .knob__number', (e) => e.value);
  const before = { rate: await rate(), url: await frame.evaluate(() => location.search) };
  for (const msg of [{ rate: 9 }, 'play', { type: 'set', path: 'traffic.rate_per_s', value: 9 }, '<script>window.__pwned=1</script>', { s: '1.AAAA' }]) {
    await page.evaluate((m) => document.querySelector('#brink').contentWindow.postMessage(m, '*'), msg);
  }
  await page.waitForTimeout(300);
  assert.deepEqual({ rate: await rate(), url: await frame.evaluate(() => location.search) }, before);
  assert.equal(await frame.evaluate(() => window.__pwned), undefined);
  assert.equal(await frame.textContent('#play'), 'Play', 'still paused');
  // The policy is the page's own: an inline script is refused.
  const policy = await frame.$eval('meta[http-equiv="Content-Security-Policy"]', (m) => m.content);
  assert.match(policy, /default-src 'self'/);
  assert.match(policy, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.equal(await frame.$$eval('script:not([src])', (s) => s.length), 0, 'no inline script');
  assert.deepEqual(errors, []);
  assert.deepEqual(csp, []);
  await page.close();
});
