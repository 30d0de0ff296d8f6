import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES } from '../../../src/app/errors.js';
import { EXIT, exitCodeFor } from '../../../src/cli/exit-codes.js';
import { paths } from '../../../src/config/paths.js';

describe('error codes', () => {
  const readme = readFileSync(join(paths.root, 'README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('### Exit codes and error codes'), readme.indexOf('## Where things live'));

  it('should list every code in the README, on the row of the exit code it ends a command with', () => {
    for (const code of [...Object.keys(ERROR_CODES), 'ZHIMI_E_INTERNAL']) {
      const row = table.split('\n').find((l) => l.includes(`\`${code}\``));
      expect(row, `${code} is not in the README's table of exit codes`).toBeDefined();
      expect(row!.startsWith(`| ${exitCodeFor({ code })} |`), `${code}: ${row}`).toBe(true);
    }
  });

  it('should list every exit code', () => {
    for (const exit of Object.values(EXIT)) expect(table).toMatch(new RegExp(`^\\| ${exit} \\|`, 'm'));
  });
});
