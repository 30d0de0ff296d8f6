/** A quoted reply as WeChat shows it: 「name：quoted」, a dashed line, the reply. Pure. */
export function parseQuote(text: string): { quotedName: string; quoted: string; reply: string } | undefined {
  const m = /^「([^：:」]*)[：:]([^」]*)」\n(?:-\s?){3,}\n?([\s\S]*)$/u.exec(text);
  return m ? { quotedName: m[1]!, quoted: m[2]!, reply: m[3]!.trim() } : undefined;
}
