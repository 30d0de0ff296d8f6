/** A one-line progress bar on a TTY, a line every 10 % otherwise. */
export function progressReporter(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): { tick(done: number, extra?: string): void; end(): void } {
  let lastDecile = -1;
  return {
    tick(done, extra = '') {
      if (stream.isTTY) {
        const width = 30;
        const filled = total === 0 ? width : Math.round((done / total) * width);
        stream.write(`\r${label} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total} ${extra}   `);
      } else {
        const decile = total === 0 ? 10 : Math.floor((done / total) * 10);
        if (decile !== lastDecile) {
          lastDecile = decile;
          stream.write(`${label}: ${done}/${total} ${extra}\n`);
        }
      }
    },
    end() {
      if (stream.isTTY) stream.write('\n');
    },
  };
}
