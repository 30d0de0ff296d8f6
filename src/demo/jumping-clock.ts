import type { Clock } from '../config/clock.js';

/** Real time, shifted: the demo jumps ahead to each campaign's due time and then runs at normal speed. */
export class JumpingClock implements Clock {
  private offset = 0;
  now(): Date {
    return new Date(Date.now() + this.offset);
  }
  jumpTo(at: Date): void {
    this.offset = Math.max(this.offset, at.getTime() - Date.now());
  }
}
