import type { Chain } from '../chains/config';
import type { DatabaseView } from '../chains/select';
import type { Logger } from '../log/logger';
import type { StateStore } from '../state/store';
import { describeQueued, holderOf } from './pacing';

/**
 * The gate between a chain step and DRS: at most maxJobsPerInstance restore jobs in flight per target
 * instance, whatever the chain, database or function. Called by advanceChain under the chain's lock.
 */
export interface SlotGateDeps {
  store: StateStore;
  logger: Logger;
  now: () => number;
  maxJobsPerInstance: number;
}

/** A database whose next file is in DRS's hands: submitting (in time, or to be resumed) or running. */
const inFlight = (view: DatabaseView) => (view.next.kind === 'wait' && view.next.code === 'in-flight') || (view.next.kind === 'submit' && view.next.file.status === 'submitting');

/**
 * Recounts the chain's slots from its state before anything is sent: its in-flight databases hold
 * theirs, the others give theirs back (their job finished, as tracking just recorded), and databases
 * that no longer wait leave the queue. So a slot never outlives its job by more than one chain step.
 */
export async function settleSlots(deps: SlotGateDeps, chain: Chain, views: DatabaseView[]): Promise<void> {
  const holders = (keep: (view: DatabaseView) => boolean) => views.filter(keep).map((view) => holderOf(chain.id, view.database));
  await deps.store.slots.settle(chain.targetInstanceId, holders(() => true), holders(inFlight), holders((v) => v.next.kind === 'submit' && !inFlight(v)), deps.now());
}

export type SlotDecision = { granted: true; since: number } | { granted: false; reason: string };

/** A slot for the database's next file, or why it waits. A resumed submission already counts as in flight. */
export async function takeSlot(deps: SlotGateDeps, chain: Chain, view: DatabaseView): Promise<SlotDecision> {
  const now = deps.now();
  if (inFlight(view)) return { granted: true, since: now };
  const outcome = await deps.store.slots.acquire(chain.targetInstanceId, holderOf(chain.id, view.database), { limit: deps.maxJobsPerInstance, now });
  if (outcome.granted) return { granted: true, since: outcome.waitedSince ?? now };
  return { granted: false, reason: describeQueued(outcome, chain.targetInstanceId, now) };
}

/**
 * DRS throttled the create (429 or its task quota): the database waits again in its old place and
 * the instance pauses, longer each time DRS still refuses. Returns the words for the file's outcome.
 */
export async function paceAfterThrottle(deps: SlotGateDeps, chain: Chain, database: string, since: number, error: Error): Promise<string> {
  const now = deps.now();
  const pace = await deps.store.slots.throttled(chain.targetInstanceId, holderOf(chain.id, database), since, now, error.message);
  deps.logger.warn('restore.job.throttled', { chain: chain.id, instance: chain.targetInstanceId, database, pausedForMs: pace.pausedUntil - now, throttledSinceMs: now - pace.since, error });
  const seconds = Math.round((pace.pausedUntil - now) / 1000);
  return `queued: DRS throttled the create on instance ${chain.targetInstanceId} (${error.message}); new restores there pause for ${seconds} s, then this file is tried again`;
}
