/**
 * Faults scripted per operation (`drs.createBackupMigrationJob`, `smn.publishMessage`, … or `*`).
 * A fault fires a given number of times (`count`), or on a share of requests (`rate`), or always.
 */
export type Fault =
  | { kind: 'latency'; ms: number }
  /** Answer with this status (and `body`, else a Huawei-style error body) instead of processing the request. */
  | { kind: 'status'; status: number; retryAfter?: string; errorCode?: string; errorMsg?: string; body?: unknown }
  /** The connection is cut before the request is processed. */
  | { kind: 'drop' }
  /** The request is processed, then the connection is cut before the answer: the caller cannot know it worked. */
  | { kind: 'drop-after' };

export type FaultRule = Fault & { operation: string; count?: number; rate?: number };

export class FaultInjector {
  private rules: FaultRule[] = [];
  constructor(private readonly random: () => number = Math.random) {}

  add(rule: FaultRule): void {
    this.rules.push({ ...rule });
  }

  clear(): void {
    this.rules = [];
  }

  /**
   * The faults that fire for this request; counted rules are used up as they fire. Latency adds up,
   * but a request ends only one way, so at most one status/drop fault fires: later ones wait their turn.
   */
  take(operation: string): Fault[] {
    const fired: Fault[] = [];
    let ended = false;
    for (const rule of this.rules) {
      if (rule.operation !== operation && rule.operation !== '*') continue;
      if (rule.count !== undefined && rule.count <= 0) continue;
      if (ended && rule.kind !== 'latency') continue;
      if (rule.rate !== undefined && this.random() >= rule.rate) continue;
      if (rule.kind !== 'latency') ended = true;
      if (rule.count !== undefined) rule.count -= 1;
      fired.push(rule);
    }
    this.rules = this.rules.filter((rule) => rule.count === undefined || rule.count > 0);
    return fired;
  }
}
