// A node killed with its crash button goes down at once, shows its restart
// progressing, comes back warming up, and the failures chart and share link
// carry the crash mechanism's settings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, ready, waitForSeconds, screenshot, useBrowser } from './helpers.mjs';

const env = useBrowser();

const node2 = '#nodes > li:nth-child(2)';

/** The second node's state, restart/warm-up progress and words. */
async function node(page) {
  return page.$eval(node2, (li) => ({
    state: li.dataset.state,
    progress: li.dataset.progress === '' ? null : Number(li.dataset.progress),
    crashes: Number(li.dataset.crashes),
    text: li.textContent,
  }));
}

test('the crash button kills a node; it restarts, then warms up', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?crash=on&memory_mb=250&restart_s=4&warmup_s=30&speed=2`);
  await ready(page);
  assert.ok(await page.isChecked('#toggle-crash'), 'crash=on ticks the toggle');
  assert.ok(!(await page.isDisabled('[data-knob="memory_mb"] .knob__slider')), 'the memory limit is live');
  assert.ok(await page.isDisabled('[data-knob="probe_interval"] .knob__slider'), 'health check knobs wait for their toggle');
  await page.click('#play');
  await waitForSeconds(page, 2);

  const kill = page.locator(`${node2} .node__kill`);
  assert.equal(await kill.getAttribute('title'), 'Kill this node now: it loses everything it holds and restarts after the restart time');
  await kill.click();
  // The crash goes to the engine's worker; its reply redraws the node.
  await page.waitForFunction((sel) => document.querySelector(sel).dataset.state === 'crashed', node2, { timeout: 5_000 });
  let n = await node(page);
  assert.equal(n.state, 'crashed');
  assert.ok(n.text.includes('crashed · restarting') && n.text.includes('✕'), n.text);
  assert.equal(n.crashes, 1);
  assert.ok(await kill.isDisabled(), 'a dead node cannot be killed again');
  // Let the restart get under way so the screenshot shows its progress bar.
  await page.waitForFunction((sel) => Number(document.querySelector(sel).dataset.progress) >= 0.4, node2, { timeout: 20_000 });
  n = await node(page);
  assert.equal(n.state, 'crashed', 'still restarting at 40%');
  assert.match(n.text, /restart \d+%/);
  await screenshot(page, 'node-crashed.png');

  await page.waitForFunction((sel) => document.querySelector(sel).dataset.state === 'warming', node2, { timeout: 20_000 });
  await page.waitForFunction((sel) => Number(document.querySelector(sel).dataset.progress) >= 0.1, node2, { timeout: 20_000 });
  n = await node(page);
  assert.equal(n.state, 'warming');
  assert.ok(n.text.includes('warming up') && /warm-up \d+%/.test(n.text) && n.text.includes('1 crash'), n.text);
  assert.ok(!(await kill.isDisabled()), 'a warming node can be killed');
  await page.click('#play');
  await screenshot(page, 'node-warming.png');

  // The other nodes were never touched.
  const others = await page.$$eval('#nodes > li', (lis) => lis.filter((_, i) => i !== 1).map((li) => li.dataset.crashes));
  assert.deepEqual(others, ['0', '0', '0']);
  // The share link keeps the crash settings.
  await page.click('.share button');
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('crash'), 'on');
  assert.equal(url.searchParams.get('memory_mb'), '250');
  assert.deepEqual(log.errors, []);
  await page.close();
});

test('32 nodes stay legible with crashed, slow and ejected ones among them', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?nodes=32&slow_nodes=4&health=on&restart_s=60&speed=5`);
  await ready(page);
  await page.click('#play');
  await waitForSeconds(page, 1);
  for (const i of [3, 10, 11]) await page.click(`#nodes > li:nth-child(${i}) .node__kill`);
  // Three failed probes in a row (1 s apart) eject the dead nodes.
  await page.waitForFunction(() => document.querySelector('#nodes > li:nth-child(3)').dataset.ejected === 'true', null, { timeout: 20_000 });
  await page.click('#play');
  const cards = await page.$$eval('#nodes > li', (lis) =>
    lis.map((li) => {
      const box = li.getBoundingClientRect();
      const inside = [...li.querySelectorAll('.node__kill, .badge, .node__state, .progress')].every((el) => {
        const b = el.getBoundingClientRect();
        return b.left >= box.left - 0.5 && b.right <= box.right + 0.5 && b.top >= box.top - 0.5 && b.bottom <= box.bottom + 0.5;
      });
      return { state: li.dataset.state, inside, slow: li.textContent.includes('slow ×2') };
    }),
  );
  assert.equal(cards.length, 32);
  assert.deepEqual([cards[2].state, cards[9].state, cards[10].state], ['crashed', 'crashed', 'crashed']);
  assert.deepEqual(cards.map((c) => c.slow), cards.map((_, i) => i < 4), 'the first four nodes are marked slow');
  assert.ok(cards.every((c) => c.inside), 'every badge, button and bar stays inside its node');
  await screenshot(page, 'nodes-32-crashed.png');
  assert.deepEqual(log.errors, []);
  await page.close();
});
