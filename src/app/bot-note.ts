import type { BotState } from '../store/bots-repo.js';

/**
 * Why a bot does not send, for `zhimi fleet status`: the QR code its account
 * must scan, its logout or lost connection, its failed start. Empty while it
 * is online or stopped on purpose. Pure.
 */
export function botNote(st: Pick<BotState, 'status' | 'lastError' | 'loginQr'> | undefined): string {
  if (!st || st.status === 'online' || st.status === 'stopped') return '';
  if (st.loginQr) return `scan the QR code in ${st.loginQr}`;
  return st.status === 'failed' || st.status === 'offline' ? (st.lastError ?? '') : '';
}
