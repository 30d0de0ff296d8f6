/**
 * What delivery needs of a channel (WeChat through Wechaty today, others
 * later): post a text to a group, learn who was in it, and have every failure
 * classified once, by the channel that knows its platform's errors. The
 * channel's full contract (src/channels/channel.ts) extends this.
 */

/**
 * How a send failed, decided by the channel that tried it:
 * - `not-posted`: certainly not posted (the service was unavailable, a passing refusal): safe to try again;
 * - `maybe-posted`: it may have gone out (a timeout, no answer): never sent again;
 * - `throttled`: the platform says slow down (`retryAfterMs` when it says how long);
 * - `gone-from-group`: the bot is not (or no longer) a member of the group;
 * - `logged-out`: the bot's account or its connection is gone: the post waits or moves, it did not fail;
 * - `refused`: the platform refused this post for good.
 */
export type SendFailureKind = 'not-posted' | 'maybe-posted' | 'throttled' | 'gone-from-group' | 'logged-out' | 'refused';

/** A failed send, classified (see SendFailureKind); the message is safe to log (no secrets). */
export class SendFailure extends Error {
  override readonly name = 'SendFailure';
  readonly retryAfterMs: number | undefined;
  constructor(
    readonly kind: SendFailureKind,
    message: string,
    options: { cause?: unknown; retryAfterMs?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Who was in a group when a post went out: the fleet's bots are never counted. */
export interface PostReceipt {
  /** Members reached. */
  reach: number;
  /** Their keyed hashes (computed on demand: only reach sketches need them). */
  memberKeys(): readonly string[];
}

/** The sending side of one bot. */
export interface PostingBot {
  readonly isOnline: boolean;
  /**
   * Post a text to a group, in the bot's turn (its gap after its last message).
   * `stillWanted` is asked in that turn, just before the send: when it says no,
   * nothing is sent and the result is undefined. Rejects with a SendFailure.
   */
  post(roomId: string, text: string, stillWanted?: () => boolean): Promise<PostReceipt | undefined>;
}
