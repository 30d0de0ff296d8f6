/**
 * A problem in a file the user wrote (bots/*.yaml, content/…): names the file,
 * the field and what is allowed, so it can be fixed without reading code.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'ZHIMI_E_CONFIG';
  constructor(
    readonly problems: readonly ConfigProblem[],
  ) {
    super(problems.map(formatProblem).join('\n'));
  }
}

export interface ConfigProblem {
  file: string;
  /** Dotted field path, e.g. `limits.minGapMs`; empty for the whole file. */
  field: string;
  message: string;
  /** 1-based line in the file, when known. */
  line?: number;
}

export function formatProblem(p: ConfigProblem): string {
  const where = p.line !== undefined ? `${p.file}:${p.line}` : p.file;
  return p.field ? `${where}: ${p.field}: ${p.message}` : `${where}: ${p.message}`;
}
