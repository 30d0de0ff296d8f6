import QRCode from 'qrcode';
import { listBotStates } from '../store/bots-repo.js';
import { type Actor } from '../shared/permissions.js';
import type { AppContext } from './context.js';
import { AppError, requireGrant } from './errors.js';
import { record } from './audit.js';

/**
 * The QR code a bot's account must scan to log in, drawn for a fleet
 * operator in the console (the worker running the bot may be on another
 * machine). Whoever scans it logs a WeChat account in as the bot: only fleet
 * operators see it, and every showing is audited.
 */
export async function loginQrSvg(ctx: AppContext, actor: Actor, botId: string): Promise<string> {
  requireGrant(actor, 'fleet:operate');
  const st = (await listBotStates(await ctx.store())).find((s) => s.botId === botId);
  if (!st?.loginQrCode) throw new AppError('ZHIMI_E_NOT_FOUND', `bot ${botId} is not waiting for a QR code to be scanned`);
  await record(ctx, actor, 'fleet.show-qr', { kind: 'bot', id: botId });
  return QRCode.toString(st.loginQrCode, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
}
