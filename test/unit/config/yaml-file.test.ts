import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { loadYamlFile, readTextFile, readYaml, readYamlFile, YAML_LIMITS } from '../../../src/config/yaml-file.js';
import { loadFleetConfig } from '../../../src/config/bots.js';
import { ConfigError } from '../../../src/config/errors.js';
import { paths } from '../../../src/config/paths.js';

const BOMB = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdef'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdef'[i]}`).join(', ')}]`)].join('\n') + '\n';
const dir = (): string => mkdtempSync(join(tmpdir(), 'zhimi-yaml-'));

describe('reading YAML a user wrote', () => {
  it('should report an alias bomb with the file, never throw', () => {
    const r = readYaml(BOMB, 'content/campaigns/bomb.yaml');
    expect(r).toEqual({ ok: false, problems: [expect.objectContaining({ file: 'content/campaigns/bomb.yaml', message: expect.stringMatching(/aliases \(\*name\) expand past 100 references/) })] });
  });

  it('should stop a bot file that is an alias bomb as one problem among the others, with the file', () => {
    const bots = dir();
    cpSync(paths.bots, bots, { recursive: true });
    writeFileSync(join(bots, 'bomb-01.yaml'), BOMB);
    let message = '';
    try {
      loadFleetConfig(bots);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).toMatch(/bomb-01\.yaml:1: invalid YAML: its aliases/);
  });

  it('should refuse a file over the size limit by name, without reading it', () => {
    const d = dir();
    const file = join(d, 'huge.yaml');
    writeFileSync(file, 'a: ' + 'x'.repeat(YAML_LIMITS.maxBytes) + '\n');
    expect(readTextFile(file)).toEqual({ ok: false, problems: [{ file, field: '', message: expect.stringMatching(/^is \d+ bytes: at most 1048576 bytes are read/) }] });
  });

  it('should read CRLF and a byte-order mark, and name bytes that are not UTF-8', () => {
    const d = dir();
    writeFileSync(join(d, 'crlf.yaml'), Buffer.from('\ufeffname: 甲\r\nlist: [a, b]\r\n', 'utf8'));
    expect(loadYamlFile(join(d, 'crlf.yaml'), z.strictObject({ name: z.string(), list: z.array(z.string()) }))).toEqual({ name: '甲', list: ['a', 'b'] });
    writeFileSync(join(d, 'gbk.yaml'), Buffer.concat([Buffer.from('name: '), Buffer.from([0xbc, 0xd7]), Buffer.from('\n')]));
    expect(readYamlFile(join(d, 'gbk.yaml'), z.object({}))).toEqual({ ok: false, problems: [{ file: join(d, 'gbk.yaml'), field: '', line: 1, message: 'is not valid UTF-8 (byte 6): save it as UTF-8' }] });
  });
});
