import type { Phase } from '../../core/phases.ts';
import { inProcessRunner } from './in-process-runner.ts';

export interface JobInfo {
  /** The job's id: the system's id in a cluster, a generated `local-…` id on a laptop. */
  readonly id: string;
  /** The checkout the job acts on; the job script's working directory. */
  readonly sourceDir: string;
  /** The code that does the job (the source itself unless given separately). */
  readonly jobDir: string;
  /** A scratch directory private to this run. */
  readonly workDir: string;
  /** The phase running now. */
  readonly phase: Phase;
}

const fields = {
  id: 'REACTORCIDE_JOB_ID',
  sourceDir: 'REACTORCIDE_SOURCE_DIR',
  jobDir: 'REACTORCIDE_JOB_DIR',
  workDir: 'REACTORCIDE_WORK_DIR',
  phase: 'REACTORCIDE_PHASE',
} as const;

/** In a plugin the runner answers directly; in a job script its environment does. */
function required(field: keyof typeof fields): string {
  const runner = inProcessRunner();
  if (runner) return runner.info[field];
  const name = fields[field];
  const v = process.env[name];
  if (v === undefined || v === '') {
    throw new Error(`${name} is not set: reactorcide/job is only usable inside a job run by the Reactorcide runner`);
  }
  return v;
}

/** The current run, read from the environment the runner hands every job and plugin. */
export const job: JobInfo = Object.freeze({
  get id() {
    return required('id');
  },
  get sourceDir() {
    return required('sourceDir');
  },
  get jobDir() {
    return required('jobDir');
  },
  get workDir() {
    return required('workDir');
  },
  get phase() {
    return required('phase') as Phase;
  },
});
