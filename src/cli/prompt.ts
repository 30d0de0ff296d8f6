import { createInterface } from 'node:readline';

/**
 * Ask for a line on the terminal (hidden for a password), or read it from
 * standard input when that is not a terminal (scripts: `echo … | zhimi login`).
 */
export async function ask(question: string, o: { hidden?: boolean } = {}): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) return readStdinLine();
  process.stderr.write(question);
  if (!o.hidden) {
    const rl = createInterface({ input, output: process.stderr, terminal: true });
    return new Promise((resolve) => rl.question('', (a) => (rl.close(), resolve(a))));
  }
  return new Promise((resolve, reject) => {
    let text = '';
    input.setRawMode(true);
    input.resume();
    input.setEncoding('utf8');
    const done = (err?: Error): void => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(text);
    };
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new Error('cancelled'));
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else text += ch;
      }
    };
    input.on('data', onData);
  });
}

let lines: string[] | undefined;
let reading: Promise<void> | undefined;

/** The next line of standard input (all of it is read once, then handed out line by line). */
async function readStdinLine(): Promise<string> {
  reading ??= (async () => {
    let all = '';
    for await (const chunk of process.stdin) all += String(chunk);
    lines = all.split(/\r?\n/);
  })();
  await reading;
  return (lines ?? []).shift() ?? '';
}
