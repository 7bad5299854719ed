import type { Job } from '../../core/job.ts';
import type { JobState } from '../../core/job-state.ts';
import { paint, type Style } from './terminal.ts';

const stateStyle: Readonly<Record<JobState, Style>> = {
  queued: 'gray',
  waiting: 'gray',
  starting: 'blue',
  running: 'cyan',
  succeeded: 'green',
  failed: 'red',
  cancelled: 'yellow',
  timed_out: 'red',
  errored: 'magenta',
};

export const paintState = (color: boolean, state: JobState): string => paint(color, stateStyle[state], state);

function duration(from: string | null, to: string | null): string {
  if (from === null) return '';
  const ms = (to === null ? Date.now() : Date.parse(to)) - Date.parse(from);
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** `reactorcide status`: one field a line, then the phases. */
export function renderJob(job: Job, color: boolean): string {
  const rows: [string, string][] = [
    ['id', job.id],
    ['name', job.name ?? '—'],
    ['state', paintState(color, job.state)],
  ];
  if (job.exitCode !== null) rows.push(['exit code', String(job.exitCode)]);
  if (job.errorReason !== null) rows.push(['reason', job.errorReason]);
  rows.push(['queue', job.queue], ['created', job.createdAt]);
  if (job.startedAt !== null) rows.push(['started', job.startedAt]);
  if (job.finishedAt !== null) rows.push(['finished', job.finishedAt]);
  if (job.startedAt !== null) rows.push(['duration', duration(job.startedAt, job.finishedAt)]);
  if (job.parentId !== null) rows.push(['parent', job.parentId]);
  const labels = Object.entries(job.labels);
  if (labels.length > 0) rows.push(['labels', labels.map(([k, v]) => `${k}=${v}`).join(', ')]);
  let text = rows.map(([k, v]) => `${paint(color, 'bold', k.padEnd(10))} ${v}\n`).join('');
  if (job.phases.length > 0) {
    text += `${paint(color, 'bold', 'phases')}\n`;
    for (const p of job.phases) {
      text += `  ${p.phase.padEnd(16)} ${p.outcome.padEnd(10)} ${String(p.durationMs).padStart(7)} ms${p.message === undefined ? '' : `  ${p.message}`}\n`;
    }
  }
  return text;
}

/** `reactorcide list`: a table, newest first. */
export function renderJobTable(jobs: readonly Job[], color: boolean): string {
  const header = ['ID', 'STATE', 'EXIT', 'CREATED', 'DURATION', 'NAME'];
  const rows = jobs.map((j) => [j.id, j.state, j.exitCode === null ? '' : String(j.exitCode), j.createdAt, duration(j.startedAt, j.finishedAt), j.name ?? '']);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[], paintCell: (i: number, c: string) => string): string =>
    cells.map((c, i) => paintCell(i, i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd() + '\n';
  let text = line(header, (_i, c) => paint(color, 'bold', c));
  for (const [n, r] of rows.entries()) {
    const state = jobs[n]?.state;
    text += line(r, (i, c) => (i === 1 && state !== undefined ? paint(color, stateStyle[state], c) : c));
  }
  return text;
}
