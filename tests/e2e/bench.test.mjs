// Bench mode runs the reference steady scenario in the page's WASM; its
// totals must equal the native CLI's for the same seed, and its speed is
// printed beside the native figure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openPage, ROOT, useBrowser } from './helpers.mjs';

const BRINK = process.env.BRINK_BIN ?? join(ROOT, 'target', 'release', 'brink');
const RUNS = 3;

const env = useBrowser();

async function benchInBrowser() {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?bench`);
  await page.waitForSelector('#bench-result', { timeout: 120_000 });
  const result = JSON.parse(await page.textContent('#bench-result'));
  assert.deepEqual(log.errors, []);
  assert.deepEqual(log.foreign, []);
  await page.close();
  return result;
}

function nativeRun() {
  return JSON.parse(execFileSync(BRINK, ['run', '--seed', '1'], { encoding: 'utf8', maxBuffer: 64 << 20 }));
}

const best = (xs) => Math.max(...xs);

test('bench mode writes the figures and the reference totals', async () => {
  const r = await benchInBrowser();
  assert.ok(r.requests_per_wall_s > 0 && r.events_per_wall_s > 0, JSON.stringify(r));
  for (const key of ['offered', 'attempts', 'throughput', 'goodput', 'rejected', 'timed_out', 'failed', 'wasted', 'unresolved_at_end']) {
    assert.equal(typeof r.totals[key], 'number', `totals.${key}`);
  }
  assert.ok(Math.abs(r.totals.offered - 600_000) < 5_000, `offered ${r.totals.offered}`);
});

test('WASM totals equal native `brink run --seed 1` totals', { skip: !existsSync(BRINK) && `no native binary at ${BRINK} (build it with cargo build --release --bin brink)` }, async () => {
  const wasm = [];
  const native = [];
  for (let i = 0; i < RUNS; i++) {
    wasm.push(await benchInBrowser());
    native.push(nativeRun());
  }
  for (const w of wasm) assert.deepEqual(w.totals, native[0].totals);
  const w = best(wasm.map((r) => r.requests_per_wall_s));
  const n = best(native.map((r) => r.logical_requests_per_wall_s));
  console.log(`requests per wall second, best of ${RUNS}: wasm ${(w / 1e6).toFixed(2)} M, native ${(n / 1e6).toFixed(2)} M, ratio ${(w / n).toFixed(2)}`);
  console.log(`events per wall second, best of ${RUNS}: wasm ${(best(wasm.map((r) => r.events_per_wall_s)) / 1e6).toFixed(2)} M, native ${(best(native.map((r) => r.events_per_wall_s)) / 1e6).toFixed(2)} M`);
});
