import type { Chain } from '../chains/config';
import type { OperatorDecision } from '../chains/operator';
import type { ChainState } from '../chains/state';
import { runChainStep, type ChainStepDeps } from './chain-step';
import type { AdvanceResult } from './submit';

export type OperatorOutcome = { refused: string } | { done: string; advanced: AdvanceResult };

/**
 * Applies an operator's decision under the chain's lock, like any upload, then lets the chain move on
 * at once (a retried file or the one after a skipped file goes to DRS now, not at the next tick).
 */
export async function operateOnChain(deps: ChainStepDeps, chain: Chain, decide: (state: ChainState) => OperatorDecision): Promise<OperatorOutcome> {
  const { result, advanced } = await runChainStep<OperatorDecision>(deps, chain, (state) => {
    const decision = decide(state);
    return 'refused' in decision ? { state, advance: false, result: decision } : { state: decision.state, advance: true, result: decision };
  });
  return 'refused' in result ? result : { done: result.done, advanced: advanced! };
}
