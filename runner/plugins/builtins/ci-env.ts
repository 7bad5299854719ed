import { definePlugin } from '../plugin.ts';

/**
 * Tells tools they run in CI, as every CI system does: many test runners, package managers and
 * linters change behaviour on `CI=true` (no prompts, no watch mode, no colour spinners).
 * A job or another plugin may still override these.
 */
export default definePlugin({
  name: 'ci-env',
  environment(ctx) {
    if (ctx.env.get('CI') === undefined) ctx.env.set('CI', 'true');
    ctx.env.set('REACTORCIDE', 'true');
  },
});
