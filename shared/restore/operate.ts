import type { Chain } from '../chains/config';
import type { OperatorDecision } from '../chains/operator';
import { changedFiles } from '../chains/plan';
import type { ChainState } from '../chains/state';
import { withChainLock } from '../state/store';
import { advanceChain, type AdvanceResult, type SubmitDeps } from './submit';

export type OperatorOutcome = { refused: string } | { done: string; advanced: AdvanceResult };

/**
 * Applies an operator's decision under the chain's lock, like any upload, then lets the chain move on
 * at once (a retried file or the one after a skipped file goes to DRS now, not at the next tick).
 */
export async function operateOnChain(
  deps: SubmitDeps & { lockTtlMs: number; lockWaitMs: number },
  chain: Chain,
  decide: (state: ChainState) => OperatorDecision,
): Promise<OperatorOutcome> {
  return withChainLock(deps.store, chain.id, { ttlMs: deps.lockTtlMs, waitMs: deps.lockWaitMs }, async (lock) => {
    const before = await deps.store.load(chain.id);
    const decision = decide(before);
    if ('refused' in decision) return decision;
    await deps.store.save(lock, { meta: decision.state.meta, files: changedFiles(before, decision.state) });
    return { done: decision.done, advanced: await advanceChain(deps, chain, lock, decision.state) };
  });
}
