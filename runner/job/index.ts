/**
 * `reactorcide/job`: typed access to the run, for job scripts and plugins written in TypeScript
 * or JavaScript. A job script runs in a child process of the runner; a plugin runs inside the
 * runner itself. Both import this same module and it finds its way to the runner either way.
 */
export { job, type JobInfo } from './job-info.ts';
export { mask } from './mask.ts';
export { submitJob, waitFor, jobClient, ClientError, type ChildSpec, type EndedJob, type Job, type SubmitSpec, type TerminalState, type WaitForOptions } from './job-api.ts';
