import { afterEach, describe, expect, it } from 'vitest';
import { SyntheticDatabase } from '../../scripts/synthetic/backups';
import { parseChains, type Chain } from '../../shared/chains/config';
import { cutoverPreview } from '../../shared/chains/operator';
import { startPipeline, TEST_CHAINS, type Pipeline } from '../support/pipeline';

/** A cutover that cannot go wrong: is_last_backup cannot be undone, so the final is chosen by upload time and LSN, and sent only when safe. */
let p: Pipeline;
afterEach(async () => p?.close());
const [chain] = parseChains(JSON.stringify(TEST_CHAINS)) as [Chain];

/** Puts each file in OBS now (in this order), returning the event each would send, to deliver later in any order. */
function put(files: [string, Uint8Array][]) {
  return files.map(([key, content]) => p.upload(key, { content }));
}
async function settle(times = 3) {
  for (let i = 0; i < times; i++) {
    p.cloud.drs.settle();
    await p.poll();
  }
}

describe('cutover', () => {
  it("the marker's event delivered before an earlier log's: that log is not made final; the tail-log uploaded after the marker is", async () => {
    p = await startPipeline();
    const db = new SyntheticDatabase('ERP');
    const [full] = put([['erp/ERP/full.bak', db.full()]]);
    await p.handler(full!);
    await settle(1);
    const [early, marker] = put([
      ['erp/ERP/log1.trn', db.log()],
      ['erp/CUTOVER', new Uint8Array()],
    ]);
    await p.handler(marker!); // delivered first, though uploaded second
    await p.handler(early!);
    await settle();
    expect(p.created().map((c) => [c.file, c.last])).toEqual([
      ['erp/ERP/full.bak', false],
      ['erp/ERP/log1.trn', false],
    ]);
    const [tail] = put([['erp/ERP/log2.trn', db.log()]]);
    await p.handler(tail!);
    await settle();
    expect(p.created().at(-1)).toMatchObject({ file: 'erp/ERP/log2.trn', last: true });
    expect([...p.cloud.drs.jobs.values()].map((j) => p.cloud.drs.statusOf(j))).toEqual(Array(3).fill('SUCCESS'));
  });

  it('a tail-log uploaded while a log is still restoring waits for it, then goes last', async () => {
    p = await startPipeline();
    const db = new SyntheticDatabase('ERP');
    for (const event of put([['erp/ERP/full.bak', db.full()]])) await p.handler(event);
    await settle(1);
    for (const event of put([['erp/ERP/log1.trn', db.log()]])) await p.handler(event); // running now
    for (const event of put([['erp/CUTOVER', new Uint8Array()], ['erp/ERP/log2.trn', db.log()]])) await p.handler(event);
    expect(p.created().map((c) => c.file)).toEqual(['erp/ERP/full.bak', 'erp/ERP/log1.trn']);
    expect(cutoverPreview(await p.state('erp-prod'), chain, Date.now())).toEqual([expect.stringMatching(/^ERP: final: erp\/ERP\/log2\.trn \(LSN \d+–\d+\); blocked: waiting for erp\/ERP\/log1\.trn to finish restoring$/)]);
    await settle();
    expect(p.created().map((c) => [c.file, c.last])).toEqual([
      ['erp/ERP/full.bak', false],
      ['erp/ERP/log1.trn', false],
      ['erp/ERP/log2.trn', true],
    ]);
    expect(cutoverPreview(await p.state('erp-prod'), chain, Date.now())).toEqual([expect.stringContaining('already complete')]);
  });

  it('a final backup with a newer log known is held and paged; nothing is sent as last until that is settled', async () => {
    p = await startPipeline();
    const db = new SyntheticDatabase('ERP');
    const files: [string, Uint8Array][] = [['erp/ERP/full.bak', db.full()], ['erp/ERP/ERP_LOG_1_FINAL.trn', db.log()], ['erp/ERP/log2.trn', db.log()]];
    for (const event of put(files)) await p.handler(event);
    await settle();
    expect(p.created().map((c) => c.file)).toEqual(['erp/ERP/full.bak']);
    expect(p.pages().map((m) => m.subject)).toEqual(['[restore-pilot] Cutover held: erp-prod ERP']);
    expect(p.pages()[0]!.message).toContain('erp/ERP/ERP_LOG_1_FINAL.trn would be restored as the last backup, but erp/ERP/log2.trn');
    expect(cutoverPreview(await p.state('erp-prod'), chain, Date.now())[0]).toContain('blocked: cutover held');
  });
});
