/**
 * Each organization's share of the recent writes (issue 14 item 3): a score per organization that
 * grows by the weight of each write it sends (one for a single write, the number of operations for
 * a /Bulk request) and halves every HALF_LIFE_MS, and the same for all of them together. While the
 * server is saturated, write shedding asks `heavy(org)`: is this organization sending at least its
 * fair share (the total divided by the organizations active now)? Those are refused first; an
 * organization sending less than its fair share is still served, so one organization's flood
 * delays another by at most what the saturation threshold allows (see docs/hardening.md).
 *
 * Memory is bounded by the organizations active in the last few half-lives: scores below
 * FORGOTTEN are dropped when the table is swept.
 */

/** Time for a score to halve. */
export const HALF_LIFE_MS = 1000;
/** A score at or above this counts the organization as active (a write within about the last half-life). */
const ACTIVE = 0.5;
/** A score below this is forgotten. */
const FORGOTTEN = 0.01;

interface Score {
  value: number;
  at: number;
}

export class OrgShares {
  private readonly scores = new Map<string, Score>();
  private adds = 0;

  constructor(private readonly now: () => number = () => performance.now(), private readonly halfLifeMs = HALF_LIFE_MS) {}

  private decayed(s: Score, t: number): number {
    return s.value * 2 ** (-(t - s.at) / this.halfLifeMs);
  }

  /** Counts `weight` writes of `org`, now. */
  add(org: string, weight = 1): void {
    const t = this.now();
    const s = this.scores.get(org);
    this.scores.set(org, { value: (s ? this.decayed(s, t) : 0) + weight, at: t });
    if (++this.adds % 1024 === 0) this.sweep(t);
  }

  /** `org`'s score now. */
  score(org: string): number {
    const s = this.scores.get(org);
    return s ? this.decayed(s, this.now()) : 0;
  }

  /** Organizations with a score of at least ACTIVE now. */
  active(): number {
    return this.activeAt(this.now()).count;
  }

  /**
   * Is `org` sending at least its fair share: the active organizations' writes divided by their
   * number? Alone, an active organization always is; one that sends nothing never is.
   */
  heavy(org: string): boolean {
    const t = this.now();
    const s = this.scores.get(org);
    const mine = s ? this.decayed(s, t) : 0;
    if (mine < ACTIVE) return false;
    const { count, sum } = this.activeAt(t);
    return mine * count >= sum;
  }

  private activeAt(t: number): { count: number; sum: number } {
    let count = 0;
    let sum = 0;
    for (const s of this.scores.values()) {
      const v = this.decayed(s, t);
      if (v >= ACTIVE) { count++; sum += v; }
    }
    return { count, sum };
  }

  private sweep(t: number): void {
    for (const [org, s] of this.scores) if (this.decayed(s, t) < FORGOTTEN) this.scores.delete(org);
  }
}
