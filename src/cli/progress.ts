/** Progress on the terminal for long CLI work: one line, rewritten at most every 250 ms (a new line each 5 s when not a TTY). */
export class Progress {
  private last = 0;
  private readonly tty = process.stderr.isTTY;
  private readonly started = Date.now();

  constructor(private label: string) {}

  update(text: string, force = false) {
    const now = Date.now();
    if (!force && now - this.last < (this.tty ? 250 : 5000)) return;
    this.last = now;
    const line = `${this.label}: ${text}`;
    if (this.tty) process.stderr.write(`\r\x1b[K${line}`);
    else process.stderr.write(line + '\n');
  }

  done(text: string) {
    if (this.tty) process.stderr.write('\r\x1b[K');
    process.stderr.write(`${this.label}: ${text} (${((Date.now() - this.started) / 1000).toFixed(1)} s)\n`);
  }

  elapsedSeconds() {
    return (Date.now() - this.started) / 1000;
  }
}

export const fmt = (n: number) => n.toLocaleString('en-US');
