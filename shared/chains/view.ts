import type { Chain } from './config';
import { chainOrder, isOutOfChain } from './plan';
import type { ChainState, FileStatus } from './state';

const MARK: Record<FileStatus, string> = {
  waiting: '… waiting',
  submitting: '→ submitting',
  running: '⟳ restoring',
  succeeded: '✓ restored',
  failed: '✗ failed',
  superseded: '- superseded',
  skipped: '» skipped',
};

/** A plain-text picture of one chain for people (the demo, `restore-pilot status`): files in restore order, jobs, progress. */
export function renderChain(chain: Chain, state: ChainState): string {
  const files = Object.values(state.files).filter((f) => !isOutOfChain(f) || f.status === 'skipped').sort(chainOrder);
  const done = files.filter((f) => f.status === 'succeeded').length;
  const total = files.filter((f) => f.status !== 'skipped').length;
  const width = 30;
  const filled = total ? Math.round((done / total) * width) : 0;
  const lines = [
    `chain ${chain.id}  (${chain.bucket}/${chain.prefix} → ${chain.targetInstanceId})`,
    `  [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} restored${state.meta.cutoverRequestedAt ? ', cutover requested' : ''}`,
  ];
  for (const file of files) {
    const job = file.jobId ? `job ${file.jobId.slice(0, 8)} ${file.drsStatus ?? ''}` : '';
    const last = file.isLastBackup || file.final ? ' (last)' : '';
    lines.push(`  ${MARK[file.status].padEnd(14)} ${file.key.slice(chain.prefix.length).padEnd(40)} ${job}${last}${file.error ? `  — ${file.error}` : ''}`);
  }
  return lines.join('\n');
}
