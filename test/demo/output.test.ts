import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseChains } from '../../shared/chains/config';
import type { BackupFileRecord, ChainState } from '../../shared/chains/state';
import { eventLog, liveView } from '../../scripts/demo/output';

const [chain] = parseChains(JSON.stringify([{ id: 'demo', bucket: 'mig-backups', prefix: 'SQL/', targetInstanceId: 'x-in04' }]));
const file = (key: string, status: BackupFileRecord['status'], extra: Partial<BackupFileRecord> = {}): BackupFileRecord => ({ key, eTag: 'e', final: false, status, attempt: 1, jobName: 'j', uploadedAt: 0, ...extra });
const state = (...files: BackupFileRecord[]): ChainState => ({ meta: { notices: [], updatedAt: 0 }, files: Object.fromEntries(files.map((f) => [f.key, f])) }) as ChainState;

function captured(): string[] {
  const lines: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((text) => {
    lines.push(...String(text).replace(/\n$/, '').split('\n'));
    return true;
  });
  return lines;
}
afterEach(() => vi.restoreAllMocks());

describe('demo output', () => {
  it('off a terminal: one line per upload, job change and page, each change once, then the final state', () => {
    const lines = captured();
    const log = eventLog(chain!, 'demo at http://x');
    log.upload('SQL/a.bak', 'full', 'submitted', 'restore job created');
    log.upload('SQL/b.trn', 'log', 'queued', 'waiting');
    log.state(state(file('SQL/a.bak', 'running', { jobId: 'aaaaaaaa-1' }), file('SQL/b.trn', 'waiting')), 0);
    log.state(state(file('SQL/a.bak', 'succeeded', { jobId: 'aaaaaaaa-1' }), file('SQL/b.trn', 'running', { jobId: 'bbbbbbbb-1' })), 0);
    log.page({ topicUrn: 'urn', subject: '[restore-pilot] Log chain broken', message: 'long\nbody' });
    log.state(state(file('SQL/a.bak', 'succeeded', { jobId: 'aaaaaaaa-1' }), file('SQL/b.trn', 'failed', { jobId: 'bbbbbbbb-1', error: 'disk full' })), 0);
    log.state(state(file('SQL/a.bak', 'succeeded', { jobId: 'aaaaaaaa-1' }), file('SQL/b.trn', 'failed', { jobId: 'bbbbbbbb-1', error: 'disk full' })), 0);
    expect(lines).toEqual([
      'demo at http://x',
      'upload    a.bak (full): submitted — restore job created',
      'upload    b.trn (log): queued — waiting',
      'restored  a.bak (job aaaaaaaa)',
      'submitted b.trn (job bbbbbbbb)',
      'page      [restore-pilot] Log chain broken',
      'failed    b.trn (job bbbbbbbb): disk full',
    ]);
    expect(lines.join('')).not.toContain('\x1b');
    log.done(state(file('SQL/a.bak', 'succeeded')), 0, 'Demo done.');
    expect(lines.at(-1)).toBe('Demo done.');
    expect(lines).toContain('final state (restored files are listed above):');
  });

  it('in a terminal: pages stay in a panel across redraws; colour only when allowed', () => {
    const lines = captured();
    const view = liveView(chain!, 'demo', false);
    view.page({ topicUrn: 'urn', subject: '[restore-pilot] Log chain broken', message: 'the details' });
    view.state(state(file('SQL/a.bak', 'waiting')), 0);
    view.upload('SQL/b.trn', 'log', 'queued', 'waiting'); // the next redraw
    view.state(state(file('SQL/a.bak', 'waiting')), 0);
    const redraws = lines.flatMap((l, i) => (l.startsWith('\x1b[2J') ? [i] : []));
    expect(redraws).toHaveLength(2);
    const lastScreen = lines.slice(redraws[1]).join('\n');
    expect(lastScreen).toContain('upload b.trn (log): queued');
    expect(lastScreen).toContain('│ the details');
    expect(lastScreen).not.toMatch(/\x1b\[3\dm/);

    const coloured = captured();
    liveView(chain!, 'demo', true).state(state(file('SQL/a.bak', 'refused', { refusal: { code: 'not-a-backup', detail: '' } })), 0);
    expect(coloured.join('\n')).toContain('\x1b[31m⊘ refused');
  });
});
