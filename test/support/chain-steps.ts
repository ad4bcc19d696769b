import type { Chain } from '../../shared/chains/config';
import { viewChain } from '../../shared/chains/select';
import type { ChainState } from '../../shared/chains/state';
import { markNotNeeded, markRunning, markSubmitting, markSucceeded } from '../../shared/chains/transitions';

/**
 * Plays DRS over the pure chain rules: takes out what is not needed, sends each next file, lets it
 * succeed, until nothing more is sent. `order` lists what was sent, `(last)` marking is_last_backup.
 */
export function restoreAll(state: ChainState, chain: Pick<Chain, 'mode'>, now = 10): { state: ChainState; order: string[] } {
  const order: string[] = [];
  for (let guard = 0; guard < 1000; guard++) {
    const views = viewChain(state, chain, now);
    for (const view of views) for (const { file, because } of view.notNeeded) state = markNotNeeded(state, file.key, because, now);
    const step = views.map((v) => v.next).find((next) => next.kind === 'submit');
    if (!step || step.kind !== 'submit') return { state, order };
    order.push(`${step.file.key}${step.isLastBackup ? ' (last)' : ''}`);
    state = markSucceeded(markRunning(markSubmitting(state, step.file.key, step.isLastBackup, now, 1000), step.file.key, 'job', now), step.file.key, now);
  }
  throw new Error('the chain did not settle');
}
