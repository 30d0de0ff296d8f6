import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import QRCode from 'qrcode';

/**
 * The QR code a bot's WeChat account must scan to log in, as the puppet
 * service hands it out: written to `<dir>/<botId>.svg`, readable by the
 * operator only (it logs the account in for whoever scans it), replaced by
 * each new code and removed at login. Returns the file's path.
 */
export async function writeLoginQr(dir: string, botId: string, qrcode: string): Promise<string> {
  const file = qrFile(dir, botId);
  const svg = await QRCode.toString(qrcode, { type: 'svg', margin: 2 });
  await inOrder(file, async () => {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // written whole, then renamed into place: whoever opens the file never sees half a code
    const part = `${file}.${randomUUID()}.part`;
    try {
      await writeFile(part, svg, { mode: 0o600 });
      await rename(part, file);
    } finally {
      await rm(part, { force: true });
    }
  });
  return file;
}

/** The bot logged in: its QR code is of no use any more (and must not linger, even when it was still being written). */
export function forgetLoginQr(dir: string, botId: string): Promise<void> {
  const file = qrFile(dir, botId);
  return inOrder(file, () => rm(file, { force: true }));
}

/** Changes of one file, one after the other in the order asked (a login's removal after the write of the code it answers). */
const fileChanges = new Map<string, Promise<void>>();
function inOrder(file: string, change: () => Promise<void>): Promise<void> {
  const done = (fileChanges.get(file) ?? Promise.resolve()).then(change);
  const tail = done.catch(() => undefined);
  fileChanges.set(file, tail);
  void tail.then(() => {
    if (fileChanges.get(file) === tail) fileChanges.delete(file);
  });
  return done;
}

/** The QR code drawn with characters, for an operator watching a terminal. */
export function loginQrForTerminal(qrcode: string): Promise<string> {
  return QRCode.toString(qrcode, { type: 'terminal', small: true });
}

const qrFile = (dir: string, botId: string): string => join(dir, `${botId.replace(/[^\w.-]/g, '_')}.svg`);
