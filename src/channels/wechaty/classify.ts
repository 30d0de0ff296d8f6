import { SendFailure } from '../../delivery/channel-port.js';
import { scrubSecrets } from '../../log/secrets.js';
import { NotInGroupError, isConnectionLoss } from './errors.js';

const THROTTLE_SIGNS = [/发送消息过于频繁/, /操作过于频繁/, /too (many|frequent)/i, /rate.?limit/i, /throttl/i, /频繁/];
/** A timeout leaves it open whether the message went out: never resend it. */
const TIMEOUT_SIGNS = [/timeout|timed out|ETIMEDOUT|DEADLINE_EXCEEDED/i];
/** The send certainly did not happen: safe to retry. */
const NOT_POSTED_SIGNS = [/UNAVAILABLE|ECONNREFUSED/i, /not logged in|logged ?out|no login/i];

/**
 * What an error of Wechaty or its puppet service means for the post, decided
 * once here from WeChat's and gRPC's texts (see SendFailureKind). `online`:
 * whether the bot was still online after the error (a bot that went offline
 * did not fail its post: it waits or moves).
 */
export function toSendFailure(err: unknown, online: boolean): SendFailure {
  if (err instanceof SendFailure) return err;
  const message = scrubSecrets((err as Error)?.message ?? String(err));
  // in this order: a send that may have gone out is never sent again, whatever else happened
  const kind = TIMEOUT_SIGNS.some((re) => re.test(message)) && !THROTTLE_SIGNS.some((re) => re.test(message)) ? 'maybe-posted'
    : !online || isConnectionLoss(err) ? 'logged-out'
    : err instanceof NotInGroupError ? 'gone-from-group'
    : THROTTLE_SIGNS.some((re) => re.test(message)) ? 'throttled'
    : NOT_POSTED_SIGNS.some((re) => re.test(message)) ? 'not-posted'
    : 'refused';
  return new SendFailure(kind, message, { cause: err });
}

/** A connection lost under a call already on its way (gRPC's "Connection dropped", a reset): the service may have carried it out. */
const DROPPED_UNDER_CALL = [/Connection dropped/i, /\bECONNRESET\b/];
/** A call that never had a connection (gRPC names the last error of its tries, a reset among them): nothing went out. */
const NEVER_CONNECTED = /No connection established/i;

/**
 * The send call's own failure. A connection that dropped under it may have
 * left the post in the group before its answer was lost: maybe posted
 * (unknown, never resent; sent again by another bot it would be a duplicate).
 * Refused or never-established connections certainly sent nothing.
 */
export function sendCallFailure(err: unknown, online: boolean): SendFailure {
  const message = scrubSecrets((err as Error)?.message ?? String(err));
  if (!NEVER_CONNECTED.test(message) && DROPPED_UNDER_CALL.some((re) => re.test(message))) return new SendFailure('maybe-posted', `the connection to its puppet service dropped during the send: ${message}`, { cause: err });
  return toSendFailure(err, online);
}
