/**
 * The long polls held by this process (POST /events/poll with returnImmediately false, nothing
 * waiting): each is woken when a SET is written for its organization, after EVENTS_POLL_WAIT_MS,
 * when its request is gone, or when the server starts draining (SIGTERM: answered at once, with
 * what came meanwhile, instead of holding the drain until SHUTDOWN_TIMEOUT_MS cuts it; the receiver
 * polls again, on another instance).
 *
 * One listener on `setsWritten` and one drain check serve every held poll: the polls wait in a set
 * per organization, so holding, waking and letting go of one costs the same however many others
 * are held. A listener and an interval per poll did not: EventEmitter finds a listener to remove
 * by scanning the list, so n polls held together and timing out together cost n²/2 comparisons on
 * the event loop (20,000 held polls on one stream, which any organization's admin can make: about
 * a second of every other request's time, every poll period), and every SET written by any
 * organization ran all n listeners (docs/security.md case 57).
 */
import { setsWritten } from "../../domain/events-capture";

/** How often held polls look whether the server started draining. */
const DRAIN_CHECK_MS = 100;

export class PollWaiters {
  private readonly byOrg = new Map<string, Set<() => void>>();
  private held = 0;
  private drainCheck: NodeJS.Timeout | null = null;
  private readonly onWritten = (orgId: string): void => {
    const waiting = this.byOrg.get(orgId);
    if (waiting) for (const wake of [...waiting]) wake();
  };

  /** `draining`: whether the server started draining; a held poll is then answered at once. */
  constructor(private readonly draining: () => boolean) {}

  /**
   * Resolves when a SET is written for `orgId` in this process, after `ms`, when `gone` fires
   * (the request closed), or when the server starts draining.
   */
  wait(orgId: string, ms: number, gone: { once(event: "close", f: () => void): unknown; off(event: "close", f: () => void): unknown }): Promise<void> {
    return new Promise((resolve) => {
      if (this.draining()) return resolve();
      let waiting = this.byOrg.get(orgId);
      if (!waiting) this.byOrg.set(orgId, (waiting = new Set()));
      const set = waiting;
      const wake = (): void => {
        if (!set.delete(wake)) return;
        clearTimeout(timer);
        gone.off("close", wake);
        if (set.size === 0 && this.byOrg.get(orgId) === set) this.byOrg.delete(orgId);
        if (--this.held === 0) this.stop();
        resolve();
      };
      const timer = setTimeout(wake, ms);
      set.add(wake);
      gone.once("close", wake);
      if (this.held++ === 0) this.start();
    });
  }

  /** How many polls are held now (tests). */
  get size(): number {
    return this.held;
  }

  private start(): void {
    setsWritten.on("written", this.onWritten);
    this.drainCheck = setInterval(() => {
      if (!this.draining()) return;
      for (const waiting of [...this.byOrg.values()]) for (const wake of [...waiting]) wake();
    }, DRAIN_CHECK_MS);
    this.drainCheck.unref();
  }

  private stop(): void {
    setsWritten.off("written", this.onWritten);
    if (this.drainCheck) clearInterval(this.drainCheck);
    this.drainCheck = null;
  }
}
