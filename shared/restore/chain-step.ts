import { chainIdOf } from '../chains/chain-id';
import type { Chain } from '../chains/config';
import type { ChainState } from '../chains/state';
import { pruneFinished } from '../chains/prune';
import { changedFiles, removedFiles } from '../chains/transitions';
import { withChainLock } from '../state/store';
import { advanceChain, type AdvanceResult, type SubmitDeps } from './submit';

/** How often an untouched chain with files still in play has its retention renewed. */
const RENEW_AFTER_MS = 24 * 60 * 60_000;
const isInPlay = (state: ChainState) => Object.values(state.files).some((f) => f.status === 'waiting' || f.status === 'submitting' || f.status === 'running' || f.status === 'failed');

export interface ChainStepDeps extends SubmitDeps {
  lockTtlMs: number;
  /** Longest wait for a chain another invocation is working on. */
  lockWaitMs: number;
  /** Waits between tries of a busy chain's lock; setTimeout unless a test passes its own. */
  sleep?: (ms: number) => Promise<void>;
}

/** What a step decided: the chain's new state, whether the chain should move on now, and what to report. */
export interface StepDecision<R> {
  state: ChainState;
  advance: boolean;
  result: R;
}

/**
 * The one way to change a database's chain (chain-id.ts): take its lock, load it, decide, save what changed (once; finished
 * files beyond the recent ones leave, prune.ts), then let it move on. Uploads, reconcile, tracking
 * and operator commands all go through here.
 */
export async function runChainStep<R>(
  deps: ChainStepDeps,
  chain: Chain,
  database: string,
  decide: (state: ChainState) => StepDecision<R> | Promise<StepDecision<R>>,
): Promise<{ result: R; advanced?: AdvanceResult }> {
  const chainId = chainIdOf(chain, database);
  return withChainLock(deps.store, chainId, { ttlMs: deps.lockTtlMs, waitMs: deps.lockWaitMs, now: deps.now, ...(deps.sleep ? { sleep: deps.sleep } : {}) }, async (lock) => {
    const before = await deps.store.load(chainId);
    const decision = await decide(before);
    const { advance, result } = decision;
    const state = pruneFinished(decision.state, deps.now());
    if (state !== before) await deps.store.save(lock, { meta: state.meta, files: changedFiles(before, state), removed: removedFiles(before, state) });
    // A database still in play (at a hole, held, failed) that nothing changes for weeks must not expire: a daily touch renews it.
    else if (isInPlay(before) && deps.now() - before.meta.updatedAt >= RENEW_AFTER_MS) await deps.store.save(lock, { meta: { ...before.meta, updatedAt: deps.now() }, files: [] });
    // Listed, but nothing stored and nothing to store: the chain expired (retention); the list forgets it.
    else if (before.meta.updatedAt === 0 && Object.keys(before.files).length === 0) await deps.store.forgetDatabase(lock);
    return { result, ...(advance ? { advanced: await advanceChain(deps, chain, lock, state) } : {}) };
  });
}
