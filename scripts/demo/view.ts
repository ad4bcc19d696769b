import type { Chain } from '../../shared/chains/config';
import { chainOrder } from '../../shared/chains/plan';
import type { ChainState, FileStatus } from '../../shared/chains/state';

const MARK: Record<FileStatus, string> = {
  waiting: '… waiting',
  submitting: '→ submitting',
  running: '⟳ restoring',
  succeeded: '✓ restored',
  failed: '✗ failed',
  superseded: '- superseded',
};

/** A plain-text picture of one chain: its files in restore order, their jobs, and progress. */
export function renderChain(chain: Chain, state: ChainState): string {
  const files = Object.values(state.files).filter((f) => f.status !== 'superseded').sort(chainOrder);
  const done = files.filter((f) => f.status === 'succeeded').length;
  const width = 30;
  const filled = files.length ? Math.round((done / files.length) * width) : 0;
  const lines = [
    `chain ${chain.id}  (${chain.bucket}/${chain.prefix} → ${chain.targetInstanceId})`,
    `  [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${files.length} restored${state.meta.cutoverRequestedAt ? ', cutover requested' : ''}`,
  ];
  for (const file of files) {
    const job = file.jobId ? `job ${file.jobId.slice(0, 8)} ${file.drsStatus ?? ''}` : '';
    const last = file.isLastBackup || file.final ? ' (last)' : '';
    lines.push(`  ${MARK[file.status].padEnd(14)} ${file.key.slice(chain.prefix.length).padEnd(40)} ${job}${last}${file.error ? `  — ${file.error}` : ''}`);
  }
  return lines.join('\n');
}
