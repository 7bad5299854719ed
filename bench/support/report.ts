/** Shared reporting for benchmarks: a readable table, the target checks, and JSON in bench/results/. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BenchCheck {
  readonly name: string;
  readonly value: number;
  readonly target: string;
  readonly pass: boolean;
}

export interface BenchReport {
  readonly rows: ReadonlyArray<Record<string, string | number>>;
  readonly checks: readonly BenchCheck[];
  readonly notes?: readonly string[];
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

const fmt = (v: string | number): string => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : v);

export function reportBench(name: string, report: BenchReport): void {
  console.table(report.rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, fmt(v)]))));
  for (const c of report.checks) {
    console.log(`${c.pass ? 'PASS' : 'MISS'}  ${c.name}: ${fmt(c.value)} (target ${c.target})`);
  }
  for (const n of report.notes ?? []) console.log(`note: ${n}`);
  const dir = new URL('../../../bench/results/', import.meta.url).pathname;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), JSON.stringify({ name, at: new Date().toISOString(), node: process.version, ...report }, null, 2));
}
