// The batch workers: the tipping map (?view=tipping) fills its 100 cells
// from a pool of Web Workers, one per core, while the page keeps painting;
// its cells equal `brink tipping`'s (BRINK_BIN) for the same scenario and
// seeds; and the validation page (?view=validate) runs its checks on the
// same pool without freezing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { openPage, screenshot, useBrowser, ROOT, watchFrames, stopFrames } from './helpers.mjs';

const env = useBrowser();
const BRINK = process.env.BRINK_BIN ?? join(ROOT, 'target', 'release', 'brink');
// sim_core::tipping::default_scenario as `brink` flags (cli/tests/cli.rs checks them).
const DEFAULT_SCENARIO = ['--rate', '1000', '--nodes', '1', '--workers', '12', '--queue', '1875', '--backoff', 'none', '--spike-start', '10'];

test('the tipping map fills its 100 cells from the worker pool while the page answers', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?view=tipping`);
  await page.waitForSelector('#tip-status[data-cells="100"]', { timeout: 30_000 });
  await watchFrames(page);
  const workers = Number(await page.getAttribute('#tip-status', 'data-workers'));
  assert.ok(workers >= 1, `${workers} workers`);
  assert.equal(await page.$eval('#tip-scenario', (s) => s.value), '0', 'opened bare: the default scenario');
  // Progressive: some cells in while others still compute.
  await page.waitForFunction(() => Number(document.querySelector('#tip-status')?.dataset.done) >= 1, null, { timeout: 120_000 });
  const partial = Number(await page.getAttribute('#tip-status', 'data-done'));
  // The page answers mid-map: a round trip to its thread, and a frame.
  const t0 = Date.now();
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => ok())));
  const frameWait = Date.now() - t0;
  await screenshot(page, 'tipping-filling.png');
  await page.waitForFunction(() => document.querySelector('#tip-status')?.dataset.finished === 'true', null, { timeout: 300_000 });
  const frames = await stopFrames(page);
  const elapsed = Number(await page.getAttribute('#tip-status', 'data-elapsed-ms'));
  const work = Number(await page.getAttribute('#tip-status', 'data-work-ms'));
  console.log(
    `tipping map 10 × 10 cells × 10 seeds, 60 s runs at 1,000 req/s: ${(elapsed / 1000).toFixed(1)} s on ${workers} workers ` +
      `(the cells took ${(work / 1000).toFixed(1)} s in their workers, summed); ` +
      `${partial} cells in at the first look, a frame came ${frameWait} ms after asking mid-map, ` +
      `${frames.n} frames painted, the longest gap between two ${frames.longest} ms`,
  );
  assert.ok(partial < 100, `the map fills progressively (first look: ${partial} cells)`);
  assert.ok(frames.longest < 1_000, `the page kept painting: longest frame gap ${frames.longest} ms`);
  assert.equal(await page.getAttribute('#tip-map', 'data-done'), '100');
  const shares = JSON.parse(await page.getAttribute('#tip-map', 'data-shares'));
  assert.equal(shares.length, 10);
  const flat = shares.flat();
  assert.equal(flat.filter((s) => s === null).length, 0);
  assert.equal(Math.min(...flat), 0, 'small, short triggers recover');
  assert.equal(Math.max(...flat), 1, 'large, long triggers tip every seed');
  assert.match(await page.textContent('#tip-status'), /Done: 100 cells of 10 seeds/);
  await screenshot(page, 'tipping-map.png');

  // The same cells as `brink tipping` for the same scenario and seeds:
  // sizes 1.4 to 1.6 (rows 3 to 5) × 3 to 5 s (columns 2 to 4).
  const cli = JSON.parse(
    execFileSync(BRINK, ['tipping', ...DEFAULT_SCENARIO, '--sizes', '1.4:1.6:0.1', '--durations', '3:5:1', '--seeds', '10', '--format', 'json'], {
      encoding: 'utf8',
    }),
  );
  const mine = shares.slice(3, 6).map((row) => row.slice(2, 5));
  assert.deepEqual(mine, cli.not_recovered, 'seeds 1-10: the page equals brink tipping');
  console.log(`cells at sizes 1.4-1.6 × 3-5 s, page and CLI: ${JSON.stringify(mine)}`);
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('the tipping map stops, restarts and names a bad field', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?view=tipping`);
  await page.waitForSelector('#tip-status[data-running="true"]', { timeout: 30_000 });
  await page.click('#tip-stop');
  await page.waitForFunction(() => document.querySelector('#tip-status')?.dataset.running === 'false');
  assert.match(await page.textContent('#tip-status'), /^Stopped: \d+ of 100 cells/);
  // A smaller map, restarted with the controls.
  await page.fill('#tip-sizes', '1.2:2:0.4');
  await page.dispatchEvent('#tip-sizes', 'change');
  await page.fill('#tip-seeds', '2');
  await page.dispatchEvent('#tip-seeds', 'change');
  await page.click('#tip-run');
  await page.waitForFunction(() => document.querySelector('#tip-status')?.dataset.finished === 'true', null, { timeout: 120_000 });
  assert.equal(await page.getAttribute('#tip-status', 'data-cells'), '30');
  // A bad field is refused, named with its range.
  await page.fill('#tip-seeds', '0');
  await page.dispatchEvent('#tip-seeds', 'change');
  await page.click('#tip-run');
  await page.waitForFunction(() => /Not run/.test(document.querySelector('#tip-status')?.textContent ?? ''));
  assert.match(await page.textContent('#tip-status'), /seeds: "0" is not allowed; use 1 to 100/);
  await page.fill('#tip-seeds', '10');
  await page.dispatchEvent('#tip-seeds', 'change');
  await page.fill('#tip-durations', '1:45:5');
  await page.dispatchEvent('#tip-durations', 'change');
  await page.click('#tip-run');
  await page.waitForFunction(() => /too short/.test(document.querySelector('#tip-status')?.textContent ?? ''));
  await screenshot(page, 'tipping-refused.png');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test("the views menu opens the tipping map over the playground's scenario", async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?rate=1000&nodes=1&workers=12&queue=1875`);
  await page.waitForSelector('#view-menu');
  await Promise.all([page.waitForURL(/view=tipping/), page.selectOption('#view-menu', 'tipping')]);
  assert.match(page.url(), /view=tipping&rate=1000/);
  await page.waitForSelector('#tip-status[data-running="true"]', { timeout: 30_000 });
  assert.equal(await page.$eval('#tip-scenario', (s) => s.value), '1', "the playground's scenario is mapped");
  await page.click('#tip-stop');
  await page.waitForFunction(() => document.querySelector('#tip-status')?.dataset.running === 'false');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('the validation page runs its checks on the worker pool and keeps painting', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?view=validate`);
  await page.waitForSelector('#validate-status');
  await watchFrames(page);
  await page.waitForFunction(() => Number(document.querySelector('#validate-status')?.dataset.done) >= 1, null, { timeout: 120_000 });
  const t0 = Date.now();
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => ok())));
  const frameWait = Date.now() - t0;
  await page.waitForFunction(() => Number(document.querySelector('#validate-status')?.dataset.done) === 7, null, { timeout: 300_000 });
  const frames = await stopFrames(page);
  const took = await page.$$eval('.check-row__took', (els) => els.map((e) => e.textContent));
  console.log(`validation on the workers: a frame came ${frameWait} ms after asking mid-run; ${frames.n} frames, longest gap ${frames.longest} ms; checks took ${took.join(', ')}`);
  assert.ok(frames.longest < 1_000, `the page kept painting: longest frame gap ${frames.longest} ms`);
  assert.match(await page.textContent('#validate-status'), /18 of 18 rows pass/);
  await screenshot(page, 'validate-workers.png');
  assert.deepEqual(log.errors, []);
  await page.close();
});
