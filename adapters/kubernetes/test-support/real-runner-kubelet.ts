/**
 * A kubelet for the fake cluster that runs the REAL runner (cli/main.ts run, through tsx) with
 * the pod's env — secretKeyRefs resolved from the stored Secret — so the container log the
 * executor follows is exactly what a runner prints in a pod. The pod's emptyDir mounts become
 * temporary directories; SIGTERM on pod deletion reaches the runner as in a cluster.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import type { Kubelet } from './fake-cluster.ts';

const repoRoot = new URL('../../../', import.meta.url).pathname;
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export function realRunnerKubelet(): Kubelet {
  return (pod) => {
    const start = (): void => {
      const podEnv = pod.env();
      if (podEnv === null) {
        // As a kubelet does: the container waits (CreateContainerConfigError) until its Secret exists.
        pod.waiting('CreateContainerConfigError', 'secret not found');
        return void setTimeout(start, 20);
      }
      const root = mkdtempSync(join(tmpdir(), 'fake-pod-'));
      const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
      for (const [k, v] of Object.entries(podEnv)) env[k] = v.replace(/^\/workspace(?=\/|$)/, root).replace(/^\/tmp(?=\/|$)/, tmpdir());
      pod.running();
      const child = spawn(process.execPath, ['--import', tsx, join(repoRoot, 'cli', 'main.ts'), 'run'], { env, cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      pod.onSigterm(() => child.kill('SIGTERM'));
      // The container log interleaves stdout and stderr, line by line, as the kubelet writes it.
      createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (l) => pod.log(`${l}\n`));
      createInterface({ input: child.stderr, crlfDelay: Infinity }).on('line', (l) => pod.log(`${l}\n`));
      child.on('close', (code, signal) => setTimeout(() => pod.terminate(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15)), 20));
    };
    setImmediate(start);
  };
}
