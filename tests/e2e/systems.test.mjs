// Systems of services: a topology template, a service selected for its
// knobs by clicking its card in the diagram, and a live change of that
// service's workers that the running engine takes without a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, ready, simTime, setSpeed, typeKnob, screenshot, useBrowser } from './helpers.mjs';

const env = useBrowser();

test('the gateway → API → database template: the api workers change mid-run', async () => {
  const { page, log } = await openPage(env.browser.context, env.srv.url);
  await ready(page);
  await page.selectOption('#template', { label: 'Gateway → API → database' });
  await page.waitForSelector('#editing-service');
  assert.equal(await page.textContent('#editing-service'), 'gateway');
  await setSpeed(page, 10);
  await page.click('#play');
  await page.waitForFunction(() => Number(document.querySelector('#status').dataset.simTime) > 2, null, { timeout: 20_000 });
  // Select the api by its card in the diagram.
  await page.click('[data-service="api"]');
  await page.waitForFunction(() => document.querySelector('#editing-service')?.textContent === 'api');
  assert.equal(await page.getAttribute('[data-service="api"]', 'aria-pressed'), 'true');
  assert.equal(await page.getAttribute('[data-service="gateway"]', 'aria-pressed'), 'false');
  assert.equal(await page.$$eval('.svc--selected', (els) => els.map((e) => e.dataset.service).join()), 'api');
  assert.equal(await page.getAttribute('.breadcrumb', 'data-editing'), 'api');
  assert.equal(await page.$eval('#pick-service', (s) => s.selectedOptions[0].textContent), 'api');
  assert.match(await page.textContent('#running-service'), /api: 4 nodes × 32 workers/);
  await typeKnob(page, 'workers', 48);
  await page.waitForFunction(() => document.querySelector('#running-service').textContent.includes('× 48 workers'));
  assert.ok((await simTime(page)) > 2, 'a live change does not restart the run');
  assert.equal(await page.$('#restart-banner'), null, 'no reset needed');
  await page.selectOption('#chart-service', { label: 'api' });
  await page.waitForTimeout(1500);
  await page.$eval('#knobs', (el) => el.scrollTo(0, 0));
  await screenshot(page, 'systems-api-workers.png');
  assert.deepEqual(log.errors, []);
  await page.close();
});
