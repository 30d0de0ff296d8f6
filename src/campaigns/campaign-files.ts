import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type ConfigProblem } from '../config/errors.js';
import { normaliseText, readYaml, readYamlFile, zodProblems, type LocatedYaml } from '../config/yaml-file.js';
import { campaignSchema, type CampaignDefinition } from './campaign-schema.js';
import { parseCron } from './cron.js';

/** A campaign file, parsed and validated, with the hash of what was reviewed. */
export interface CampaignFile {
  def: CampaignDefinition;
  hash: string;
  file: string;
}

/**
 * Read one campaign file; never throws. Schema, cron and YAML problems (an
 * empty file, an alias bomb, bytes that are not UTF-8) carry file, line and field.
 */
export function readCampaignFile(file: string): { ok: true; value: CampaignFile } | { ok: false; problems: ConfigProblem[] } {
  const r = readYamlFile(file, campaignSchema, 'a campaign');
  if (!r.ok) return r;
  return checkedCampaign(r.value, r.text ?? '', file, r.located);
}

/** Read a campaign's YAML text (one sent to the API: the console's editor, `zhimi campaign submit`); `file` names it in problems; never throws. */
export function readCampaignText(text: string, file: string): { ok: true; value: CampaignFile } | { ok: false; problems: ConfigProblem[] } {
  const y = readYaml(normaliseText(text), file);
  if (!y.ok) return y;
  const parsed = campaignSchema.safeParse(y.value.data, { reportInput: true });
  if (!parsed.success) return { ok: false, problems: zodProblems(file, parsed.error.issues, y.value, campaignSchema) };
  return checkedCampaign(parsed.data, text, file, y.value);
}

/** Schema-valid campaign: its cron checked too. */
function checkedCampaign(def: CampaignDefinition, text: string, file: string, located: LocatedYaml | undefined): { ok: true; value: CampaignFile } | { ok: false; problems: ConfigProblem[] } {
  if ('cron' in def.schedule) {
    const c = parseCron(def.schedule.cron);
    const line = located?.lineOf(['schedule', 'cron']);
    if (!c.ok) return { ok: false, problems: [{ file, field: 'schedule.cron', message: c.message, ...(line !== undefined ? { line } : {}) }] };
  }
  return { ok: true, value: { def, hash: createHash('sha256').update(text).digest('hex').slice(0, 16), file } };
}

/** Parse one campaign file; any problem is thrown as a {@link ConfigError} with file, line and field. */
export function loadCampaignFile(file: string): CampaignFile {
  const r = readCampaignFile(file);
  if (!r.ok) throw new ConfigError(r.problems);
  return r.value;
}

/** Every campaign file of a folder (content/campaigns), and the problems of those that do not load (file, line, field). */
export function readCampaignDir(dir: string): { files: CampaignFile[]; problems: ConfigProblem[] } {
  const files: CampaignFile[] = [];
  const problems: ConfigProblem[] = [];
  if (!existsSync(dir)) return { files, problems };
  for (const n of readdirSync(dir).filter((x) => /\.ya?ml$/.test(x)).sort()) {
    // one file that does not load (a typo, an alias bomb) is its problem, never the others'
    const r = readCampaignFile(join(dir, n));
    if (r.ok) files.push(r.value);
    else problems.push(...r.problems);
  }
  return { files, problems };
}

/** Every campaign file of a folder; any problem stops it (ConfigError with all of them). */
export function loadCampaignDir(dir: string): CampaignFile[] {
  const { files, problems } = readCampaignDir(dir);
  if (problems.length) throw new ConfigError(problems);
  return files;
}
