import { accepted, acquire, emptyBook, pruned, settle, SlotBook, throttled, type AcquireOutcome, type SlotLimits, type SlotPace } from '../restore/slot-book';

/**
 * Restore slots per target RDS instance, shared by every chain and both functions (see
 * shared/restore/slot-book.ts for the rules). Every operation is atomic: the Redis store runs each as
 * one Lua script (redis-slots.ts), the file store in one synchronous read-modify-write of its
 * document (one process only). Both pass test/state/instance-slots-contract.test.ts.
 */
export interface InstanceSlots {
  /** A slot for `holder`, or why not (busy with how many ahead, or paused by DRS). */
  acquire(instance: string, holder: string, limits: SlotLimits): Promise<AcquireOutcome>;
  /** The slots and places of the `owned` holders (a chain step's databases) brought in line with its state; called under the chain's lock. */
  settle(instance: string, owned: string[], inFlight: string[], wanting: string[], now: number): Promise<void>;
  /** DRS throttled `holder`'s create: the slot goes back, the holder waits from `since`, the instance pauses. */
  throttled(instance: string, holder: string, since: number, now: number, error: string): Promise<SlotPace>;
  /** DRS accepted a create on the instance: any pause is over. */
  accepted(instance: string): Promise<void>;
  /** The instance's book as it stands (lapsed leases and long-silent waiters left out): for status and pages. */
  inspect(instance: string, now: number): Promise<SlotBook>;
}

/** The slots of a store whose whole state sits in one process's hands (the file store). */
export class InProcessSlots implements InstanceSlots {
  constructor(
    private readonly read: (instance: string) => SlotBook | undefined,
    private readonly write: (instance: string, book: SlotBook) => void,
  ) {}

  private change<T>(instance: string, apply: (book: SlotBook) => { book: SlotBook; result: T }): T {
    const { book, result } = apply(SlotBook.parse(this.read(instance) ?? emptyBook()));
    this.write(instance, book);
    return result;
  }

  async acquire(instance: string, holder: string, limits: SlotLimits): Promise<AcquireOutcome> {
    return this.change(instance, (book) => {
      const { book: next, outcome } = acquire(book, holder, limits);
      return { book: next, result: outcome };
    });
  }

  async settle(instance: string, owned: string[], inFlight: string[], wanting: string[], now: number): Promise<void> {
    this.change(instance, (book) => ({ book: settle(book, owned, inFlight, wanting, now), result: undefined }));
  }

  async throttled(instance: string, holder: string, since: number, now: number, error: string): Promise<SlotPace> {
    return this.change(instance, (book) => {
      const next = throttled(book, holder, since, now, error);
      return { book: next, result: next.pace! };
    });
  }

  async accepted(instance: string): Promise<void> {
    this.change(instance, (book) => ({ book: accepted(book), result: undefined }));
  }

  async inspect(instance: string, now: number): Promise<SlotBook> {
    return pruned(SlotBook.parse(this.read(instance) ?? emptyBook()), now);
  }
}
