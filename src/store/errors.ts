/** The database could not be used; the message says what to check. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: 'ZHIMI_E_DB_URI' | 'ZHIMI_E_DB_UNREACHABLE' | 'ZHIMI_E_DB_AUTH' | 'ZHIMI_E_DB_START' | 'ZHIMI_E_REDIS_UNREACHABLE',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A MongoDB URI with its password replaced by ***, safe to print. */
export function redactUri(uri: string): string {
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/[^:/@]+):[^@]*@/, '$1:***@');
}
