// Shared helpers of the end-to-end tests: a static server for dist/, a
// Chromium that never touches the network on its own, and page probes.
import { before, after } from 'node:test';
import { createServer } from 'node:http';
import { readFile, mkdtemp, mkdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, extname, normalize, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(here, '..', '..');
export const DIST = process.env.BRINK_DIST ?? join(ROOT, 'dist');
export const ARTIFACTS = join(here, 'artifacts');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
};

/**
 * Serves `dir` on 127.0.0.1 at a free port; resolves to { url, close }.
 * With `cache`, files may be cached for an hour (the fuzz test opens the
 * page a thousand times; the browser then keeps the compiled WebAssembly).
 */
export async function serve(dir = DIST, { cache = false } = {}) {
  dir = resolve(dir);
  if (!existsSync(join(dir, 'index.html'))) {
    throw new Error(`${dir}/index.html missing: run \`trunk build --release\` first`);
  }
  // Large headers, so that the fuzz test's 100 KB parameters reach the page.
  const server = createServer({ maxHeaderSize: 1 << 20 }, async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = normalize(join(dir, path === '/' ? 'index.html' : path));
    if (!file.startsWith(dir)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': cache ? 'max-age=3600' : 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((ok) => server.close(ok)) };
}

/**
 * Launches Debian's Chromium headless with a fresh profile directory and no
 * background network. Playwright takes the profile as the persistent
 * context's directory (it refuses a --user-data-dir argument).
 */
export async function launch() {
  const profile = await mkdtemp(join(tmpdir(), 'brink-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const close = async () => {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  };
  return { context, close };
}

/**
 * Opens a page at 1280×800 (or `viewport`) that records console errors,
 * page errors, failed requests and every request to a host other than the
 * test server.
 */
export async function openPage(context, url, viewport = { width: 1280, height: 800 }) {
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  const origin = new URL(url).origin;
  const log = { errors: [], foreign: [], failed: [] };
  page.on('console', (m) => {
    // A Content-Security-Policy violation counts as an error whatever its level.
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) log.errors.push(m.text());
  });
  page.on('pageerror', (e) => log.errors.push(String(e)));
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')) log.foreign.push(u);
  });
  page.on('requestfailed', (r) => log.failed.push(`${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => {
    if (r.status() >= 400) log.failed.push(`${r.url()} ${r.status()}`);
  });
  await page.goto(url);
  return { page, log };
}

/** Waits until the app has mounted and drawn its charts once. */
export async function ready(page) {
  await page.waitForSelector('#chart-traffic[data-seconds]', { timeout: 30_000 });
}

/** Simulated time shown in the status line, seconds. */
export async function simTime(page) {
  return Number(await page.getAttribute('#status', 'data-sim-time'));
}

/** Sets the speed slider to the position nearest `speed` (log scale 1–200×). */
export async function setSpeed(page, speed) {
  const pos = Math.round((Math.log(speed) / Math.log(200)) * 1000);
  await page.$eval('#speed', (el, v) => {
    el.value = String(v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, pos);
}

/** Types `value` into a knob's number field and commits it (Enter fires `change`). */
export async function typeKnob(page, param, value) {
  const field = page.locator(`[data-knob="${param}"] .knob__number`);
  await field.fill(String(value));
  await field.press('Enter');
}

/** Waits until the charts have drawn at least `n` completed seconds. */
export async function waitForSeconds(page, n, timeout = 60_000) {
  await page.waitForFunction(
    (n) => Number(document.querySelector('#chart-traffic')?.getAttribute('data-seconds') ?? 0) >= n,
    n,
    { timeout },
  );
}

/** Pixels of a canvas as RGBA bytes (an array), for before/after comparisons. */
export async function canvasPixels(page, id) {
  return page.$eval(`#${id}`, (c) => Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data));
}

/** Counts pixels close to the RGB colour `rgb` (tolerance per channel). */
export function countColour(pixels, [r, g, b], tol = 40) {
  let n = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    if (Math.abs(pixels[i] - r) <= tol && Math.abs(pixels[i + 1] - g) <= tol && Math.abs(pixels[i + 2] - b) <= tol) n++;
  }
  return n;
}

/** Saves a screenshot under tests/e2e/artifacts/. */
export async function screenshot(page, name) {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, name);
  await page.screenshot({ path, fullPage: false });
  return path;
}

/**
 * Serves dist/ and launches Chromium once for the calling test file, closing
 * both when its tests are done. Returns an object whose `srv` and `browser`
 * are set by the time the tests run.
 */
export function useBrowser() {
  const env = { srv: null, browser: null };
  before(async () => {
    env.srv = await serve();
    env.browser = await launch();
  });
  after(async () => {
    await env.browser?.close();
    await env.srv?.close();
  });
  return env;
}

/** A headline figure of the last completed second (`#kpi-<id>`'s data-value). */
export async function kpi(page, id) {
  return Number(await page.getAttribute(`#kpi-${id}`, 'data-value'));
}

/**
 * Counts animation frames in the page and keeps the longest gap between
 * two, ms: a page whose main thread is busy for a second paints no frame
 * for a second.
 */
export async function watchFrames(page) {
  await page.evaluate(() => {
    const w = window;
    w.__frames = { n: 0, last: performance.now(), longest: 0, on: true };
    const tick = (t) => {
      const f = w.__frames;
      f.longest = Math.max(f.longest, t - f.last);
      f.last = t;
      f.n += 1;
      if (f.on) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

/** Stops counting; the frames painted and the longest gap, ms. */
export async function stopFrames(page) {
  return page.evaluate(() => {
    window.__frames.on = false;
    return { n: window.__frames.n, longest: Math.round(window.__frames.longest) };
  });
}
