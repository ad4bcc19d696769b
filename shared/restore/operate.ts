import type { Chain } from '../chains/config';
import type { OperatorDecision } from '../chains/operator';
import type { ChainState } from '../chains/state';
import { runChainStep } from './chain-step';
import { makeStagingCopies, type StagingDeps } from './staging';
import type { AdvanceResult } from './submit';

export type OperatorOutcome = { refused: string } | { done: string; advanced: AdvanceResult };

/**
 * Applies an operator's decision under the chain's lock, like any upload, then lets the chain move on
 * at once (a retried file or the one after a skipped file goes to DRS now, not at the next tick).
 */
export async function operateOnChain(deps: StagingDeps, chain: Chain, database: string, decide: (state: ChainState) => OperatorDecision): Promise<OperatorOutcome> {
  const { result, advanced } = await runChainStep<OperatorDecision>(deps, chain, database, (state) => {
    const decision = decide(state);
    return 'refused' in decision ? { state, advance: false, result: decision } : { state: decision.state, advance: true, result: decision };
  });
  if ('refused' in result) return result;
  return { done: result.done, advanced: await makeStagingCopies(deps, chain, advanced!) };
}
