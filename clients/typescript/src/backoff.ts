/**
 * Exponential backoff with jitter: the n-th retry waits about `initialMs * multiplier^(n-1)`, capped at `maxMs`, spread
 * by +-`jitter` (a fraction) so that many devices that failed together do not come back together.
 */
export interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly multiplier: number;
  readonly jitter: number;
}

/** 100 ms doubling up to 10 s, +-20 %: the wait before resending a frame. */
export const RESEND_BACKOFF: Backoff = { initialMs: 100, maxMs: 10_000, multiplier: 2, jitter: 0.2 };

/** 200 ms doubling up to 15 s, +-30 %: the wait before reconnecting. */
export const RECONNECT_BACKOFF: Backoff = { initialMs: 200, maxMs: 15_000, multiplier: 2, jitter: 0.3 };

export function checkBackoff(backoff: Backoff): Backoff {
  if (!(backoff.initialMs > 0) || !(backoff.maxMs >= backoff.initialMs)) {
    throw new RangeError(`need 0 < initialMs <= maxMs, got ${backoff.initialMs} and ${backoff.maxMs}`);
  }
  if (!(backoff.multiplier >= 1) || !(backoff.jitter >= 0 && backoff.jitter <= 1)) {
    throw new RangeError("need multiplier >= 1 and 0 <= jitter <= 1");
  }
  return backoff;
}

/**
 * The wait before retry number `attempt` (1 for the first retry).
 *
 * @param floorMs the least wait the server asked for (`retry_after_ms`), 0 for none; honoured even when larger than
 *     `maxMs`, and jittered upwards only, so no device comes back early
 * @param random a number in [0, 1)
 */
export function backoffDelay(backoff: Backoff, attempt: number, floorMs: number, random: () => number = Math.random): number {
  const exponential = backoff.initialMs * Math.pow(backoff.multiplier, Math.max(0, attempt - 1));
  const capped = Math.min(exponential, backoff.maxMs);
  const jittered = capped * (1 + backoff.jitter * (2 * random() - 1));
  const floor = floorMs <= 0 ? 0 : floorMs * (1 + backoff.jitter * random());
  return Math.max(1, Math.round(Math.max(jittered, floor)));
}
