import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

/** The checkout Zhimi runs from (holds bots/, content/, .zhimi/). */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const paths = {
  root: projectRoot,
  bots: join(projectRoot, 'bots'),
  content: join(projectRoot, 'content'),
  reference: join(projectRoot, 'content', 'reference', 'fuzhou.yaml'),
  /** Git-ignored state: the development database, its binary, dev keys. */
  state: join(projectRoot, '.zhimi'),
  /** Where workers write the QR codes bots' accounts must scan to log in (ZHIMI_LOGIN_QR_DIR). */
  loginQr: process.env['ZHIMI_LOGIN_QR_DIR'] || join(projectRoot, '.zhimi', 'login-qr'),
};
