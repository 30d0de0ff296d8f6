import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type ConfigProblem } from '../config/errors.js';
import { parseYaml, zodProblems } from '../config/yaml-file.js';
import { campaignSchema, type CampaignDefinition } from './campaign-schema.js';
import { parseCron } from './cron.js';

/** A campaign file, parsed and validated, with the hash of what was reviewed. */
export interface CampaignFile {
  def: CampaignDefinition;
  hash: string;
  file: string;
}

/** Parse one campaign file; schema and cron problems carry file, line and field. */
export function loadCampaignFile(file: string): CampaignFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError([{ file, field: '', message: `cannot read: ${(err as Error).message}` }]);
  }
  const located = parseYaml(text, file);
  const r = campaignSchema.safeParse(located.data, { reportInput: true });
  if (!r.success) throw new ConfigError(zodProblems(file, r.error.issues, located));
  const problems: ConfigProblem[] = [];
  if ('cron' in r.data.schedule) {
    const c = parseCron(r.data.schedule.cron);
    if (!c.ok) problems.push({ file, field: 'schedule.cron', message: c.message, line: located.lineOf(['schedule', 'cron']) } as ConfigProblem);
  }
  if (problems.length) throw new ConfigError(problems);
  return { def: r.data, hash: createHash('sha256').update(text).digest('hex').slice(0, 16), file };
}

/** Every campaign file of a folder (content/campaigns), and the problems of those that do not load (file, line, field). */
export function readCampaignDir(dir: string): { files: CampaignFile[]; problems: ConfigProblem[] } {
  const files: CampaignFile[] = [];
  const problems: ConfigProblem[] = [];
  if (!existsSync(dir)) return { files, problems };
  for (const n of readdirSync(dir).filter((x) => /\.ya?ml$/.test(x)).sort()) {
    try {
      files.push(loadCampaignFile(join(dir, n)));
    } catch (err) {
      if (err instanceof ConfigError) problems.push(...err.problems);
      else throw err;
    }
  }
  return { files, problems };
}

/** Every campaign file of a folder; any problem stops it (ConfigError with all of them). */
export function loadCampaignDir(dir: string): CampaignFile[] {
  const { files, problems } = readCampaignDir(dir);
  if (problems.length) throw new ConfigError(problems);
  return files;
}
