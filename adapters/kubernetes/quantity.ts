/**
 * Kubernetes resource quantities (`500m`, `2`, `512Mi`, `1.5Gi`, `1e3`) as numbers, so a job's
 * request can be checked against the operator's cap before a Job is created: the API server
 * would accept any size and leave the pod unschedulable instead of saying why.
 */
import { invalidInput } from '../../core/errors.ts';

const suffixes: Readonly<Record<string, number>> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const pattern = /^([+]?[0-9]+(?:\.[0-9]*)?|[+]?\.[0-9]+)(?:([eE][+-]?[0-9]+)|(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei))?$/;

/** The quantity's value in base units (cores, bytes); throws invalid_input naming `what`. */
export function parseQuantity(raw: string, what: string): number {
  const m = pattern.exec(raw.trim());
  if (!m) throw invalidInput(`${what} must be a Kubernetes quantity like 500m, 2, 512Mi or 1Gi, got ${JSON.stringify(raw)}`);
  const base = Number(m[1]);
  const value = m[2] !== undefined ? base * 10 ** Number(m[2].slice(1)) : base * (suffixes[m[3] ?? ''] ?? 1);
  if (!Number.isFinite(value) || value <= 0) throw invalidInput(`${what} must be more than zero, got ${JSON.stringify(raw)}`);
  return value;
}
