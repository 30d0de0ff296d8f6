import type { Clock } from '../../src/config/clock.js';

/** A clock the test moves by hand. */
export class FakeClock implements Clock {
  private t: number;
  constructor(start: Date | string = '2026-11-24T10:00:00+08:00') {
    this.t = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.t);
  }
  advance(ms: number): void {
    this.t += ms;
  }
  set(at: Date | string): void {
    this.t = new Date(at).getTime();
  }
}
