/**
 * The registry of secrets of one job run and the factory of its mask streams. Secrets come in by
 * name and value (from the environment, a plugin, the job library, an `::add-mask::` line);
 * masked bytes and text go out. The automaton is rebuilt lazily: registering a thousand secrets
 * costs one build, at the next write.
 */
import { invalidInput } from '../../core/errors.ts';
import { Automaton, type Needle } from './automaton.ts';
import { FinderGroup, MatchFinder, type Finder } from './match-finder.ts';
import { ByteMaskStream, type MaskSource, type MaskStream } from './mask-stream.ts';
import { secretVariants } from './variants.ts';

export interface MaskerOptions {
  /** Values shorter than this many characters (after trimming) are refused; default 6. */
  minLength?: number;
}

export type AddResult = { masked: true } | { masked: false; reason: 'too_short' | 'empty' };

/** A display name can never smuggle text into the log: only [A-Za-z0-9_.-], at most 64 characters. */
export function sanitizeSecretName(name: string): string {
  const clean = name.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64);
  return clean === '' ? 'SECRET' : clean;
}

export class SecretMasker implements MaskSource {
  private readonly minLength: number;
  private readonly names = new Map<string, number>();
  private readonly markers: Buffer[] = [];
  private readonly values = new Set<string>();
  private readonly needles = new Map<string, Needle>();
  private readonly refused: string[] = [];
  /** Needles in the big finder, and those registered since (in a small one of their own). */
  private settled: Needle[] = [];
  private recent: Needle[] = [];
  private settledFinder: MatchFinder | null = null;
  private built: Finder | null = null;
  private stale = false;

  constructor(options: MaskerOptions = {}) {
    const minLength = options.minLength ?? 6;
    if (!Number.isInteger(minLength) || minLength < 1) {
      throw invalidInput(`masking minLength must be a positive integer, got ${String(minLength)}`, { field: 'minLength' });
    }
    this.minLength = minLength;
  }

  /**
   * Registers a value and all its derived forms under a display name. The first name registered
   * for a value (or for a form two values share) is the one its marker shows.
   */
  add(name: string, value: string): AddResult {
    if (value.trim() === '') return { masked: false, reason: 'empty' };
    // Counted in characters, after trimming: six spaces around `ab` must not mask every `ab`.
    if ([...value.trim()].length < this.minLength) {
      const display = sanitizeSecretName(name);
      if (!this.refused.includes(display)) this.refused.push(display);
      return { masked: false, reason: 'too_short' };
    }
    if (this.values.has(value)) return { masked: true };
    this.values.add(value);
    const nameId = this.nameId(name);
    for (const bytes of secretVariants(value, this.minLength)) {
      const key = bytes.toString('latin1');
      if (!this.needles.has(key)) {
        const needle = { bytes, name: nameId };
        this.needles.set(key, needle);
        this.recent.push(needle);
        this.stale = true;
      }
    }
    return { masked: true };
  }

  /** Names of values refused as too short, for the runner's system line. */
  get tooShort(): readonly string[] {
    return this.refused;
  }

  /** Number of distinct values masked. */
  get size(): number {
    return this.values.size;
  }

  stream(): MaskStream {
    return new ByteMaskStream(this);
  }

  maskText(text: string): string {
    if (this.values.size === 0) return text;
    const stream = this.stream();
    const head = stream.write(Buffer.from(text, 'utf8'));
    const tail = stream.end();
    return Buffer.concat([head, tail]).toString('utf8');
  }

  /**
   * The finder for all needles so far. Needles registered after the last full build go into a
   * small finder of their own while they are under a quarter of the rest: a job masking values
   * one by one as it runs costs small builds, and full rebuilds stay amortised (geometric).
   */
  finder(): Finder | null {
    if (this.stale) {
      this.stale = false;
      const bytes = (list: readonly Needle[]): number => list.reduce((n, x) => n + x.bytes.length, 0);
      if (this.settledFinder === null || bytes(this.recent) * 4 > bytes(this.settled)) {
        this.settled = [...this.settled, ...this.recent];
        this.recent = [];
        this.settledFinder = new MatchFinder(new Automaton(this.settled), this.settled);
        this.built = this.settledFinder;
      } else {
        const small = new MatchFinder(new Automaton(this.recent), this.recent);
        this.built = new FinderGroup([this.settledFinder, small]);
      }
    }
    return this.built;
  }

  marker(name: number): Uint8Array {
    return this.markers[name]!;
  }

  private nameId(name: string): number {
    const display = sanitizeSecretName(name);
    let id = this.names.get(display);
    if (id === undefined) {
      id = this.markers.length;
      this.names.set(display, id);
      this.markers.push(Buffer.from(`***${display}***`, 'latin1'));
    }
    return id;
  }
}
