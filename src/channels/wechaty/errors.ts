/** The puppet (WeChat side) answered with an error. Carries the bot and operation; never secrets. */
export class PuppetError extends Error {
  override readonly name = 'PuppetError';
  readonly code = 'ZHIMI_E_PUPPET';
  constructor(readonly botId: string, readonly operation: string, message: string, options?: { cause?: unknown }) {
    super(`bot ${botId}: ${operation}: ${message}`, options);
  }
}

/** The puppet service could not be reached or refused us (endpoint, TLS, token). */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  readonly code = 'ZHIMI_E_TRANSPORT';
  constructor(readonly botId: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}


/** The bot is not (or no longer) a member of the room it should post to. */
export class NotInGroupError extends PuppetError {
  constructor(botId: string, roomId: string) {
    super(botId, 'say', `not a member of room ${roomId}`);
  }
}

/** Signs that the puppet service cannot be reached (gRPC UNAVAILABLE, a dropped or refused connection, one gone silent): nothing was sent. */
const CONNECTION_LOSS = [/\b14 UNAVAILABLE\b/, /Connection dropped/i, /No connection established/i, /\bECONNREFUSED\b|\bECONNRESET\b/, /no grpc manager/i, /puppet service went silent/i];

/** Did the bot lose its connection to its puppet service (not the account's fault, nor the post's)? */
export function isConnectionLoss(err: unknown): boolean {
  const msg = (err as Error)?.message ?? String(err);
  return CONNECTION_LOSS.some((re) => re.test(msg));
}
