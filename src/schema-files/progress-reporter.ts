import cliProgress from 'cli-progress';

/** Tells the person how far a long step has got. */
export interface ProgressReporter {
  /** A step of `total` units begins (e.g. "Rewriting blog_post pages", 1200). */
  start(label: string, total: number): void;
  /** `done` more units of the current step are finished. */
  advance(done: number): void;
  /** The current step is finished. */
  finish(): void;
}

/** Reports nothing: for callers (and tests) that do not want progress. */
export const SILENT_PROGRESS: ProgressReporter = {
  start: () => undefined,
  advance: () => undefined,
  finish: () => undefined,
};

export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * Progress on standard error: a bar redrawn in place at a terminal (cli-progress), and
 * plain lines at most every `intervalMs` otherwise, so logs of CI jobs and pipes stay
 * readable (no escape codes, no carriage returns).
 */
export function progressOn(
  stream: ProgressStream & NodeJS.WritableStream,
  { intervalMs = 2_000 }: { intervalMs?: number } = {},
): ProgressReporter {
  if (stream.isTTY) return terminalProgress(stream);
  return lineProgress(stream, intervalMs);
}

function terminalProgress(stream: NodeJS.WritableStream): ProgressReporter {
  let bar: cliProgress.SingleBar | undefined;
  let value = 0;
  return {
    start(label, total) {
      bar?.stop();
      value = 0;
      bar = new cliProgress.SingleBar(
        {
          stream,
          format: `${label} [{bar}] {percentage}% | {value}/{total} | {duration_formatted}`,
          hideCursor: true,
          // Stops the bar (restoring the cursor) on Ctrl-C.
          gracefulExit: true,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0);
    },
    advance(done) {
      value += done;
      bar?.update(value);
    },
    finish() {
      bar?.stop();
      bar = undefined;
    },
  };
}

function lineProgress(stream: ProgressStream, intervalMs: number): ProgressReporter {
  let label = '';
  let total = 0;
  let value = 0;
  let lastLine = 0;
  const line = () => {
    const percent = total === 0 ? 100 : Math.floor((value / total) * 100);
    stream.write(`${label}: ${value}/${total} (${percent}%)\n`);
    lastLine = Date.now();
  };
  return {
    start(newLabel, newTotal) {
      label = newLabel;
      total = newTotal;
      value = 0;
      line();
    },
    advance(done) {
      value += done;
      if (Date.now() - lastLine >= intervalMs) line();
    },
    finish() {
      line();
    },
  };
}
