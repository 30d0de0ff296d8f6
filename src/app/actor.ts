import { actorOf } from '../campaigns/campaign-service.js';
import type { Actor } from '../campaigns/lifecycle.js';
import type { AppContext } from './context.js';

export type { Actor } from '../campaigns/lifecycle.js';

/** The user a command acts as: an officer of bots/fleet.yaml, with their role. */
export function actorNamed(ctx: AppContext, userId: string): Actor {
  return actorOf(ctx.fleet(), userId);
}
