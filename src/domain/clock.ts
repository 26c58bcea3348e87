/** The time every time-dependent rule reads; injected so tests and the admin plane can move it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Wall time shifted by a fixed offset (the admin clock keeps the offset in the store). */
export function offsetClock(offsetMs: () => number): Clock {
  return { now: () => new Date(Date.now() + offsetMs()) };
}
