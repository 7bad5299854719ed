/** Records each phase's start, end, duration and outcome for the summary and job status. */
import type { Phase, PhaseOutcome, PhaseTiming } from '../core/phases.ts';

export class PhaseClock {
  private readonly timings: PhaseTiming[] = [];
  private open: { phase: Phase; startedAt: Date; t0: bigint } | undefined;

  start(phase: Phase): void {
    this.open = { phase, startedAt: new Date(), t0: process.hrtime.bigint() };
  }

  finish(outcome: PhaseOutcome, message?: string): PhaseTiming {
    const o = this.open;
    if (!o) throw new Error('PhaseClock.finish without start');
    this.open = undefined;
    const timing: PhaseTiming = {
      phase: o.phase,
      startedAt: o.startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      durationMs: Math.round(Number(process.hrtime.bigint() - o.t0) / 1e4) / 100,
      outcome,
      ...(message === undefined ? {} : { message }),
    };
    this.timings.push(timing);
    return timing;
  }

  skip(phase: Phase): void {
    const now = new Date().toISOString();
    this.timings.push({ phase, startedAt: now, finishedAt: now, durationMs: 0, outcome: 'skipped' });
  }

  all(): readonly PhaseTiming[] {
    return this.timings;
  }
}
