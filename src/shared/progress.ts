/** A one-line progress bar for terminals; silent when the stream is not a TTY (logs and --json stay clean). */
export interface ProgressBar {
  update(label: string, done: number, total: number): void;
  finish(): void;
}

export function createProgressBar(stream: NodeJS.WriteStream = process.stderr, enabled = stream.isTTY === true): ProgressBar {
  if (!enabled) return { update() {}, finish() {} };
  let last = 0;
  let shown = false;
  const started = Date.now();
  return {
    update(label, done, total) {
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      shown = true;
      const width = 28;
      const ratio = total > 0 ? Math.min(1, done / total) : 0;
      const filled = Math.round(ratio * width);
      const secs = (now - started) / 1000;
      const text = `${label.slice(-40).padEnd(40)} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}% ${secs.toFixed(1)}s`;
      stream.write(`\r${text}`);
    },
    finish() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}
