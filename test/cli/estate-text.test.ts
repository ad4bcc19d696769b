import { describe, expect, it } from 'vitest';
import type { DatabaseProblem, DatabaseStanding } from '../../scripts/cli/attention';
import { ATTENTION_SHOWN, estateText } from '../../scripts/cli/estate-text';
import { titleOf } from '../../shared/alerts/problems';
import { parseChains } from '../../shared/chains/config';

const NOW = Date.parse('2026-11-20T04:20:00Z');
const chains = parseChains(JSON.stringify(Array.from({ length: 5 }, (_, i) => ({ id: `src-${i}`, bucket: 'mig-backups', prefix: `src${i}/`, targetInstanceId: `rds-${i}-in04` }))));
const problem = (source: string, database: string, minutesAgo: number): DatabaseProblem => ({
  id: `log-chain-broken:${source}:${database}`,
  kind: 'log-chain-broken',
  scope: source,
  topicUrn: 'urn',
  since: NOW - minutesAgo * 60_000,
  title: titleOf('log-chain-broken', `${source} ${database}`),
  details: ['What happened: a hole'],
  nextStep: 'upload the log',
  database,
  paged: minutesAgo > 10,
});

describe('the estate view', () => {
  it('40 databases needing attention out of 500: the most urgent are shown, the rest counted, the problems one line per kind; under 50 lines', () => {
    const sources = chains.map((chain, i) => {
      const databases: DatabaseStanding[] = Array.from({ length: 100 }, (_, n) => {
        const database = `DB${i}${String(n).padStart(2, '0')}`;
        if (n >= 8) return { database, standing: 'restored' };
        return { database, standing: 'broken', attention: { code: n === 0 ? 'halted' : 'hole', reason: `${n === 0 ? 'halted' : 'log chain broken'} since …`, since: NOW - n * 60_000 } };
      });
      const problems = databases.filter((d) => d.attention?.code === 'hole').map((d, k) => problem(chain.id, d.database, k * 5));
      return { chain, databases, problems, cutoverRequested: false };
    });
    const lines = estateText(sources, NOW).split('\n');
    expect(lines.length).toBeLessThanOrEqual(50);
    expect(lines[0]).toBe('5 source(s), 500 database(s), at 04:20Z:');
    expect(lines[1]).toBe('  src-0  100 databases: 92 restored, 0 in flight, 0 queued, 0 waiting, 8 broken, 0 done  (mig-backups/src0/ → rds-0-in04)');
    expect(lines).toContain('needs attention (40):');
    const shown = lines.filter((l) => /^ {2}src-\d DB\d+: /.test(l));
    expect(shown).toHaveLength(ATTENTION_SHOWN);
    expect(shown.slice(0, 5).every((l) => l.includes(': halted since'))).toBe(true); // the halted first, from every source
    expect(lines).toContain(`  and ${40 - ATTENTION_SHOWN} more; see --json or --db NAME`);
    expect(lines).toContain('open problems (35):');
    expect(lines.at(-1)).toBe('  ! 35 × Log chain broken: src-0 DB007, src-1 DB107, src-2 DB207, … (20 of 35 paged), since 03:50Z');
  });

  it('a healthy estate: the summary lines and nothing else to read', () => {
    const sources = chains.map((chain) => ({ chain, databases: [{ database: 'A', standing: 'done' as const }], problems: [], cutoverRequested: true }));
    expect(estateText(sources, NOW).split('\n')).toEqual([
      '5 source(s), 5 database(s), at 04:20Z:',
      ...chains.map((c, i) => `  ${c.id}  1 databases: 0 restored, 0 in flight, 0 queued, 0 waiting, 0 broken, 1 done; cutover requested  (mig-backups/src${i}/ → rds-${i}-in04)`),
      '',
      'nothing needs attention',
      '',
      'no open problems',
    ]);
  });
});
