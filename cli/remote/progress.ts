import { paint, type Terminal } from './terminal.ts';

export interface Progress {
  /** What the line says now, e.g. `job 1f… running`. */
  update(text: string): void;
  /** Erases the line. */
  stop(): void;
}

const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const none: Progress = { update: () => undefined, stop: () => undefined };

/**
 * A one-line spinner with the elapsed time, on stderr, only when stderr is a terminal: piped
 * or redirected output stays clean for scripts.
 */
export function startProgress(term: Terminal): Progress {
  if (!term.interactiveErr) return none;
  const started = Date.now();
  let text = '';
  let frame = 0;
  let stopped = false;
  const draw = (): void => {
    const secs = Math.floor((Date.now() - started) / 1000);
    term.err(`\r\u001b[2K${paint(term.color, 'cyan', frames[frame++ % frames.length] ?? '')} ${text} ${paint(term.color, 'gray', `${secs}s`)}`);
  };
  const timer = setInterval(draw, 100);
  timer.unref();
  return {
    update(next) {
      text = next;
      draw();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      term.err('\r\u001b[2K');
    },
  };
}
