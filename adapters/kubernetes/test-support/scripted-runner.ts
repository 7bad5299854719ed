import type { LogRecord } from '../../../core/log-record.ts';
import type { PodControl } from './fake-cluster.ts';

/**
 * A fake kubelet for the fake cluster: a container that prints `n` runner records (three per
 * timestamp, so resuming a log by timestamp is tested), never more than `gate.open` so far, then
 * its summary, and exits 0. A killed pod stops printing.
 */
export function scriptedRunner(n: number, gate: { open: number }): (pod: PodControl) => void {
  const base = Date.parse('2026-01-01T00:00:00.000Z');
  const record = (i: number): LogRecord => ({ ts: new Date(base + Math.floor(i / 3)).toISOString(), stream: 'stdout', phase: 'run', text: `record ${i}\n` });
  return (pod) => {
    setTimeout(() => {
      pod.running();
      let i = 0;
      const tick = (): void => {
        if (pod.pod().status.containerStatuses?.[0]?.state?.terminated) return;
        while (i < Math.min(n, gate.open)) pod.log(`${JSON.stringify(record(i++))}\n`);
        if (i < n) return void setTimeout(tick, 10);
        pod.log(`${JSON.stringify({ ts: new Date().toISOString(), summary: { jobId: 'x', outcome: 'succeeded', exitCode: 0, startedAt: '', finishedAt: '', durationMs: 1, phases: [] } })}\n`);
        setTimeout(() => pod.terminate(0), 20);
      };
      tick();
    }, 20);
  };
}
