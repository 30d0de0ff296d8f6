import { describe, expect, it } from 'vitest';
import { botNote } from '../../../src/app/bot-note.js';

describe('zhimi fleet status: why a bot does not send', () => {
  it('should name the QR code to scan first, then the logout, lost connection or failed start', () => {
    expect(botNote({ status: 'starting', loginQr: '.zhimi/login-qr/gulou-01.svg' })).toBe('scan the QR code in .zhimi/login-qr/gulou-01.svg');
    expect(botNote({ status: 'offline', lastError: 'puppet connection lost: 14 UNAVAILABLE: Connection dropped', loginQr: '.zhimi/login-qr/gulou-01.svg' })).toBe('scan the QR code in .zhimi/login-qr/gulou-01.svg');
    expect(botNote({ status: 'offline', lastError: 'puppet connection lost: 14 UNAVAILABLE: Connection dropped' })).toBe('puppet connection lost: 14 UNAVAILABLE: Connection dropped');
    expect(botNote({ status: 'failed', lastError: 'bot gulou-01 (bots/gulou-01.yaml): the puppet service at 127.0.0.1:8788 refused the token' })).toMatch(/refused the token/);
  });

  it('should say nothing while the bot sends or was stopped on purpose, whatever happened before', () => {
    expect(botNote({ status: 'online', lastError: 'puppet connection lost: 14 UNAVAILABLE' })).toBe('');
    expect(botNote({ status: 'stopped', lastError: 'logout' })).toBe('');
    expect(botNote({ status: 'starting' })).toBe('');
    expect(botNote(undefined)).toBe('');
  });
});
