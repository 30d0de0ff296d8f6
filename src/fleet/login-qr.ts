import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import QRCode from 'qrcode';

/**
 * The QR code a bot's WeChat account must scan to log in, as the puppet
 * service hands it out: written to `<dir>/<botId>.svg`, readable by the
 * operator only (it logs the account in for whoever scans it), replaced by
 * each new code and removed at login. Returns the file's path.
 */
export async function writeLoginQr(dir: string, botId: string, qrcode: string): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = qrFile(dir, botId);
  await writeFile(file, await QRCode.toString(qrcode, { type: 'svg', margin: 2 }), { mode: 0o600 });
  return file;
}

/** The bot logged in: its QR code is of no use any more (and must not linger). */
export async function forgetLoginQr(dir: string, botId: string): Promise<void> {
  await rm(qrFile(dir, botId), { force: true });
}

/** The QR code drawn with characters, for an operator watching a terminal. */
export function loginQrForTerminal(qrcode: string): Promise<string> {
  return QRCode.toString(qrcode, { type: 'terminal', small: true });
}

const qrFile = (dir: string, botId: string): string => join(dir, `${botId.replace(/[^\w.-]/g, '_')}.svg`);
