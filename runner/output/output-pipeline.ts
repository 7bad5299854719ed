/**
 * The one path every byte a job prints takes: the job script's stdout and stderr, its children's,
 * the plugins' (captured inside the runner) and the runner's own messages. Bytes pass the
 * `::add-mask::` filter, then the secret masker, then become log records for the sink.
 * Nothing reaches the sink that has not passed the masker.
 */
import { StringDecoder } from 'node:string_decoder';
import type { LogStream } from '../../core/log-record.ts';
import type { Phase } from '../../core/phases.ts';
import type { SecretMasker, MaskStream } from '../masking/index.ts';
import { AddMaskFilter } from './add-mask-filter.ts';
import type { LogSink } from './log-sink.ts';

/** Name under which values registered without a name are masked: `***MASKED***`. */
export const anonymousSecretName = 'MASKED';

export class OutputPipeline {
  private currentPhase: Phase = 'fetch_source';

  constructor(
    private readonly masker: SecretMasker,
    private readonly sink: LogSink,
  ) {}

  get phase(): Phase {
    return this.currentPhase;
  }

  setPhase(phase: Phase): void {
    this.currentPhase = phase;
  }

  /** Register a secret; a value too short to mask safely is reported by name, never shown. */
  addSecret(name: string, value: string): void {
    const result = this.masker.add(name, value);
    if (!result.masked && result.reason === 'too_short') {
      this.system(`the value of ${name} is too short to mask safely and is not masked`);
    }
  }

  /** The runner's own voice, one line; masked like everything else (a command line, an exception). */
  system(text: string): void {
    const masked = this.maskText(text);
    const line = masked.endsWith('\n') ? masked : `${masked}\n`;
    this.sink.record({ ts: new Date().toISOString(), stream: 'system', phase: this.currentPhase, text: line });
  }

  maskText(text: string): string {
    return this.masker.maskText(text);
  }

  /** A byte stream to mask: one per source (job stdout, job stderr, plugin stdout, …). */
  channel(stream: Exclude<LogStream, 'system'>): OutputChannel {
    return new OutputChannel(stream, this.masker.stream(), this, (text) =>
      this.sink.record({ ts: new Date().toISOString(), stream, phase: this.currentPhase, text }),
    );
  }
}

export class OutputChannel {
  private readonly filter: AddMaskFilter;
  /** Made on the first bytes: most channels (a no-op job's, a quiet phase's) never see any. */
  private decoder: StringDecoder | undefined;
  private ended = false;

  constructor(
    readonly stream: Exclude<LogStream, 'system'>,
    private readonly masked: MaskStream,
    pipeline: OutputPipeline,
    private readonly emit: (text: string) => void,
  ) {
    this.filter = new AddMaskFilter((value) => pipeline.addSecret(anonymousSecretName, value));
  }

  write(chunk: Buffer | string): void {
    if (this.ended) return;
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    for (const part of this.filter.write(bytes)) this.out(this.masked.write(part));
  }

  /** Flush what is held back (a partial match, a possible command prefix) and stop. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const part of this.filter.end()) this.out(this.masked.write(part));
    this.out(this.masked.end());
    const rest = this.decoder?.end() ?? '';
    if (rest !== '') this.emit(rest);
  }

  private out(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.decoder ??= new StringDecoder('utf8');
    const text = this.decoder.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    if (text !== '') this.emit(text);
  }
}
