/**
 * Secret values this process holds (bot tokens read from the environment),
 * scrubbed from every error text and log field: a puppet service that
 * refuses a token may quote it back ("Invalid Wechaty TOKEN \"…\"").
 */
const known = new Set<string>();

/** Remember a secret this process uses, so no log line or stored error shows it. */
export function rememberSecret(value: string | undefined): void {
  // very short values would blank out ordinary words
  if (value && value.length >= 6) known.add(value);
}

/** Text without the secrets this process knows, quoted tokens, or anything that looks like a puppet-service token. */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const s of known) if (out.includes(s)) out = out.split(s).join('[token]');
  return out.replace(/\b(token\s*[:=]?\s*)(["'])[^"'\s]+\2/gi, '$1$2[token]$2').replace(/\b[a-z0-9]+_[0-9a-f-]{16,}\b/gi, '[token]');
}
