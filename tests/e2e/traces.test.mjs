// One request's trace: with traces on, clicking a node, a moment in a chart
// shows a sampled request as a waterfall, and the export downloads OTLP/JSON
// whose spans link up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { openPage, ready, waitForSeconds, screenshot, useBrowser } from './helpers.mjs';

const env = useBrowser();

/** The waterfall's spans: kind and outcome of each row. */
async function rows(page) {
  return page.$$eval('#trace .waterfall > li', (lis) => lis.map((li) => ({ kind: li.dataset.kind, outcome: li.dataset.outcome })));
}

/** Checks the OTLP/JSON document's required fields and parent links; returns its span count. */
function checkOtlp(doc) {
  assert.ok(Array.isArray(doc.resourceSpans) && doc.resourceSpans.length > 0, 'resourceSpans');
  const ids = new Set();
  const parents = [];
  let n = 0;
  for (const rs of doc.resourceSpans) {
    const name = rs.resource.attributes.find((a) => a.key === 'service.name');
    assert.equal(typeof name.value.stringValue, 'string');
    for (const ss of rs.scopeSpans) {
      assert.equal(ss.scope.name, 'brink');
      for (const s of ss.spans) {
        n += 1;
        assert.match(s.traceId, /^[0-9a-f]{32}$/);
        assert.match(s.spanId, /^[0-9a-f]{16}$/);
        assert.ok(typeof s.name === 'string' && s.name.length > 0);
        assert.ok(Number.isInteger(s.kind) && s.kind >= 1 && s.kind <= 5, `kind ${s.kind}`);
        assert.match(s.startTimeUnixNano, /^\d+$/);
        assert.match(s.endTimeUnixNano, /^\d+$/);
        assert.ok(BigInt(s.endTimeUnixNano) >= BigInt(s.startTimeUnixNano));
        assert.ok([0, 1, 2].includes(s.status.code));
        ids.add(`${s.traceId}/${s.spanId}`);
        if (s.parentSpanId !== undefined) parents.push(`${s.traceId}/${s.parentSpanId}`);
      }
    }
  }
  for (const p of parents) assert.ok(ids.has(p), `parentSpanId ${p} is a span of the same trace`);
  return n;
}

test('clicking a node or a chart shows a trace; the export is OTLP/JSON', async () => {
  const { page, log } = await openPage(env.browser.context, `${env.srv.url}?traces=5&rate=14000&speed=5`);
  await ready(page);
  assert.match(await page.textContent('#trace'), /Click a node/);
  await page.click('#play');
  await waitForSeconds(page, 4);
  await page.click('#play');

  await page.click('#nodes > li:nth-child(2)', { position: { x: 20, y: 20 } });
  await page.waitForSelector('#trace .waterfall > li');
  let spans = await rows(page);
  assert.ok(spans.length >= 1, 'at least one span');
  assert.equal(spans[0].kind, 'request');
  assert.ok(spans.some((s) => s.kind === 'serve'), JSON.stringify(spans));
  await page.locator('#trace').scrollIntoViewIfNeeded();
  await screenshot(page, 'trace-node.png');

  const canvas = page.locator('canvas').first();
  const box = await canvas.boundingBox();
  const before = await page.textContent('#trace .trace__title');
  const nodeAt = Number(/Request at ([\d.]+) s/.exec(before)[1]);
  await canvas.click({ position: { x: box.width * 0.04, y: box.height / 2 } });
  // The worker picks the trace and answers: wait for the new title.
  await page.waitForFunction((b) => document.querySelector('#trace .trace__title')?.textContent !== b, before);
  const title = await page.textContent('#trace .trace__title');
  const at = Number(/Request at ([\d.]+) s/.exec(title)[1]);
  // 4 % across the first minute's window is 2.4 s; the node's trace is the latest.
  assert.ok(Math.abs(at - 2.4) < 0.5 && at < nodeAt, `an early moment picks an early request: ${title} (node's at ${nodeAt} s)`);

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-traces')]);
  assert.equal(download.suggestedFilename(), 'brink-traces.json');
  const doc = JSON.parse(await readFile(await download.path(), 'utf8'));
  const n = checkOtlp(doc);
  const roots = doc.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)).filter((s) => s.parentSpanId === undefined);
  assert.ok(roots.length >= 15, `5 a second for ~4 s: ${roots.length} traces, ${n} spans`);
  assert.deepEqual(log.errors, []);
  assert.deepEqual(log.failed, []);
});
