// A plugin: prepares an env var for the script, and reports how long the script took.
// Plugins live in the job code, never in an untrusted source.
let started = 0;

export default {
  name: 'build-label',
  environment(ctx: { job: { id: string }; env: { set(name: string, value: string): void } }): void {
    ctx.env.set('BUILD_LABEL', `build-${ctx.job.id}`);
  },
  beforeRun(): void {
    started = performance.now();
  },
  afterRun(ctx: { log(message: string): void; result?: { outcome: string } }): void {
    ctx.log(`build-label: the script ${ctx.result?.outcome} in ${Math.round(performance.now() - started)} ms`);
  },
};
