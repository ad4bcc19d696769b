import type { Chain } from './config';
import { lsn, viewChain } from './select';
import type { BackupFileRecord, ChainState, FileStatus } from './state';
import { describeNotNeeded, describeRefusal } from './verdicts';

const MARK: Record<FileStatus, string> = {
  waiting: '… waiting',
  submitting: '→ submitting',
  running: '⟳ restoring',
  succeeded: '✓ restored',
  failed: '✗ failed',
  superseded: '- superseded',
  skipped: '» skipped',
  'not-needed': '· not needed',
  refused: '⊘ refused',
};

const byLsn = (a: BackupFileRecord, b: BackupFileRecord) => {
  const x = a.header ? lsn(a.header.firstLsn) : -1n;
  const y = b.header ? lsn(b.header.firstLsn) : -1n;
  return x < y ? -1 : x > y ? 1 : a.key < b.key ? -1 : 1;
};

/** How a status mark is drawn: as is, or coloured by a terminal view (the demo's). */
export type PaintMark = (status: FileStatus, mark: string) => string;

function line(chain: Chain, file: BackupFileRecord, paint: PaintMark): string {
  const name = file.key.slice(chain.prefix.length);
  const range = file.header ? `${file.header.type.padEnd(12)} LSN ${file.header.firstLsn}–${file.header.lastLsn}` : ''.padEnd(51);
  const job = file.jobId ? `  job ${file.jobId.slice(0, 8)} ${file.drsStatus ?? ''}` : '';
  const last = file.isLastBackup || file.final ? ' (last)' : '';
  const held = file.status === 'waiting' && file.preflight?.passed === false && !file.preflightOverride ? `  — held by the preflight: ${file.preflight.detail}` : '';
  const why = file.refusal ? `  — ${describeRefusal(file.refusal).what}` : file.because ? `  — ${describeNotNeeded(file.because)}` : file.error ? `  — ${file.error}` : held;
  const copy = file.staging && !file.staging.deleted ? `  [DRS-safe copy ${file.staging.key}${file.staging.eTag ? '' : file.staging.uploadId ? ', copying in parts' : ', to be made'}]` : '';
  return `    ${paint(file.status, MARK[file.status].padEnd(14))} ${name.padEnd(44)} ${range}${job}${last}${why}${copy}`;
}

/** Why a database whose turn has come still waits for DRS (its instance's restore slots), if it does. */
export type QueuedFor = (database: string) => string | undefined;

/** Which files get a line under their database; every one by default. */
export type ShowFile = (file: BackupFileRecord) => boolean;

/**
 * A plain-text picture of one chain for people (the demo, `restore-pilot status --db`): per database,
 * where it stands (restored to which LSN, from which backup), what comes next, then its files in LSN order.
 */
export function renderChain(chain: Chain, state: ChainState, now = Date.now(), paint: PaintMark = (_, mark) => mark, queuedFor: QueuedFor = () => undefined, show: ShowFile = () => true): string {
  const lines = [`chain ${chain.id}  (${chain.bucket}/${chain.prefix} → ${chain.targetInstanceId})${state.meta.cutoverRequestedAt ? ', cutover requested' : ''}`];
  for (const view of viewChain(state, chain, now)) {
    const stand = view.restoredTo
      ? `restored to LSN ${view.restoredTo.lsn} by ${view.restoredTo.file.key.slice(chain.prefix.length)} (taken ${view.restoredTo.file.header.startedAt})${view.next.kind === 'wait' && view.next.code === 'complete' ? '' : `; the next log must include LSN ${view.restoredTo.lsn}`}`
      : 'nothing restored yet';
    const queued = view.next.kind === 'submit' ? queuedFor(view.database) : undefined;
    const next = view.next.kind === 'submit' ? `next: ${view.next.file.key.slice(chain.prefix.length)}${queued ? ` — ${queued}` : ''}` : view.next.detail;
    lines.push(`  database ${view.database}: ${stand}; ${next}`);
    for (const file of [...view.files].filter(show).sort(byLsn)) lines.push(line(chain, file, paint));
  }
  const refused = Object.values(state.files).filter((f) => f.status === 'refused');
  if (refused.length > 0) {
    lines.push('  refused (DRS cannot restore them):');
    for (const file of refused) lines.push(line(chain, file, paint));
  }
  return lines.join('\n');
}
