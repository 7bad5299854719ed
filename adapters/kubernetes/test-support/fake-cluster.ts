/**
 * The state behind the fake API server: Jobs, pods and Secrets with resource versions and a
 * history of watch events, plus the few controllers a real cluster would run — the Job
 * controller (one pod per Job, status conditions, activeDeadlineSeconds), foreground deletion
 * and owner-reference garbage collection. What the pod's container does is up to the test: a
 * `Kubelet` callback drives each pod through `PodControl` (schedule, pull errors, log lines,
 * exit), or runs the real runner (real-runner-kubelet.ts).
 */
import { randomUUID } from 'node:crypto';

export type Kind = 'jobs' | 'pods' | 'secrets';
// Objects are plain JSON as the API server stores them.
export type Obj = { metadata: Record<string, any>; spec?: any; status?: any; [k: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
export interface WatchEvent { readonly kind: Kind; readonly type: 'ADDED' | 'MODIFIED' | 'DELETED'; readonly object: Obj; readonly rv: number }
export interface LogLine { readonly ts: string; readonly text: string }

export interface PodControl {
  readonly pod: () => Obj;
  unschedulable(message: string): void;
  waiting(reason: string, message?: string): void;
  running(): void;
  log(text: string): void;
  terminate(exitCode: number, reason?: string): void;
  /** What the container does on SIGTERM (pod deletion); by default it exits 143 at once. */
  onSigterm(handler: () => void): void;
  /** The container's env with secretKeyRef values resolved, as the kubelet would; null while a Secret is missing. */
  env(): Record<string, string> | null;
}
export type Kubelet = (pod: PodControl) => void;

export class FakeCluster {
  private rv = 0;
  readonly objects: Record<Kind, Map<string, Obj>> = { jobs: new Map(), pods: new Map(), secrets: new Map() };
  readonly events: WatchEvent[] = [];
  readonly logs = new Map<string, { lines: LogLine[]; done: boolean; listeners: Set<() => void> }>();
  readonly deletions: { kind: Kind; name: string; propagationPolicy: string | undefined }[] = [];
  readonly listeners = new Set<(e: WatchEvent) => void>();
  private readonly sigterm = new Map<string, () => void>();
  private readonly timers = new Set<NodeJS.Timeout>();
  kubelet: Kubelet = () => {};

  key(ns: string, name: string): string {
    return `${ns}/${name}`;
  }

  get resourceVersion(): number {
    return this.rv;
  }

  private emit(kind: Kind, type: WatchEvent['type'], obj: Obj): void {
    this.rv += 1;
    obj.metadata.resourceVersion = String(this.rv);
    const event = { kind, type, object: structuredClone(obj), rv: this.rv };
    this.events.push(event);
    for (const l of this.listeners) l(event);
  }

  create(kind: Kind, ns: string, body: Obj): Obj {
    const name = body.metadata?.name as string;
    if (this.objects[kind].has(this.key(ns, name))) throw Object.assign(new Error(`${kind} "${name}" already exists`), { status: 409, reason: 'AlreadyExists' });
    const obj: Obj = structuredClone(body);
    obj.metadata = { ...obj.metadata, namespace: ns, uid: randomUUID(), creationTimestamp: new Date().toISOString() };
    if (kind === 'jobs') obj.status = {};
    this.objects[kind].set(this.key(ns, name), obj);
    this.emit(kind, 'ADDED', obj);
    if (kind === 'jobs') this.startJob(ns, obj);
    return obj;
  }

  update(kind: Kind, obj: Obj): void {
    this.emit(kind, 'MODIFIED', obj);
  }

  remove(kind: Kind, ns: string, name: string): void {
    const obj = this.objects[kind].get(this.key(ns, name));
    if (!obj) return;
    this.objects[kind].delete(this.key(ns, name));
    this.emit(kind, 'DELETED', obj);
    // Garbage collection of dependents, by owner reference.
    for (const k of ['pods', 'secrets'] as const) {
      for (const dep of [...this.objects[k].values()]) {
        if (dep.metadata.ownerReferences?.some((o: { uid: string }) => o.uid === obj.metadata.uid)) this.deleteObject(k, ns, dep.metadata.name, 'Background');
      }
    }
  }

  /** DELETE as the API server does it: pods terminate gracefully, a foreground owner waits for them. */
  deleteObject(kind: Kind, ns: string, name: string, propagationPolicy: string | undefined): Obj | undefined {
    const obj = this.objects[kind].get(this.key(ns, name));
    if (!obj) return undefined;
    this.deletions.push({ kind, name, propagationPolicy });
    if (kind === 'pods') {
      if (obj.metadata.deletionTimestamp) return obj;
      obj.metadata.deletionTimestamp = new Date().toISOString();
      this.update('pods', obj);
      const state = obj.status.containerStatuses?.[0]?.state;
      if (state?.running) (this.sigterm.get(name) ?? (() => this.terminatePod(ns, name, 143, 'Error')))();
      else if (!state?.terminated) this.remove('pods', ns, name);
      else this.remove('pods', ns, name);
      return obj;
    }
    if (kind === 'jobs' && propagationPolicy === 'Foreground') {
      obj.metadata.deletionTimestamp = new Date().toISOString();
      obj.metadata.finalizers = ['foregroundDeletion'];
      this.update('jobs', obj);
      const pods = this.podsOf(obj);
      if (pods.length === 0) this.remove('jobs', ns, name);
      for (const pod of pods) this.deleteObject('pods', ns, pod.metadata.name, undefined);
      return obj;
    }
    this.remove(kind, ns, name);
    return obj;
  }

  podsOf(job: Obj): Obj[] {
    return [...this.objects.pods.values()].filter((p) => p.metadata.ownerReferences?.some((o: { uid: string }) => o.uid === job.metadata.uid));
  }

  appendLog(podName: string, text: string): void {
    const log = this.logs.get(podName);
    if (!log || log.done) return;
    const now = new Date();
    // RFC 3339 with nanoseconds, as the kubelet writes it.
    const ts = `${now.toISOString().slice(0, -1)}000000Z`;
    for (const line of text.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1)) log.lines.push({ ts, text: line });
    for (const l of log.listeners) l();
  }

  private startJob(ns: string, job: Obj): void {
    const podName = `${job.metadata.name}-${Math.random().toString(36).slice(2, 7)}`;
    const template = job.spec.template;
    const pod: Obj = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: podName,
        labels: { ...template.metadata?.labels, 'batch.kubernetes.io/job-name': job.metadata.name },
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name, uid: job.metadata.uid, controller: true }],
      },
      spec: structuredClone(template.spec),
      status: { phase: 'Pending', conditions: [] },
    };
    const created = this.create('pods', ns, pod);
    job.status = { active: 1, startTime: new Date().toISOString() };
    this.update('jobs', job);
    this.logs.set(podName, { lines: [], done: false, listeners: new Set() });
    const deadline = job.spec.activeDeadlineSeconds as number | undefined;
    if (deadline) {
      const t = setTimeout(() => {
        this.timers.delete(t);
        if (!this.objects.jobs.has(this.key(ns, job.metadata.name)) || job.status.conditions) return;
        job.status.conditions = [{ type: 'FailureTarget', status: 'True', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' }];
        this.update('jobs', job);
        for (const p of this.podsOf(job)) this.deleteObject('pods', ns, p.metadata.name, undefined);
      }, deadline * 1000);
      this.timers.add(t);
    }
    this.kubelet(this.control(ns, created, job));
  }

  private control(ns: string, pod: Obj, job: Obj): PodControl {
    const name = pod.metadata.name as string;
    const container = (): Obj => pod.status.containerStatuses?.[0] ?? {};
    const setContainer = (state: object, extra: object = {}): void => {
      pod.status.containerStatuses = [{ name: 'runner', image: pod.spec.containers[0].image, ready: false, restartCount: 0, ...container(), ...extra, state }];
    };
    const scheduled = (): void => {
      pod.status.conditions = [{ type: 'PodScheduled', status: 'True' }];
    };
    return {
      pod: () => pod,
      unschedulable: (message) => {
        pod.status.conditions = [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }];
        this.update('pods', pod);
      },
      waiting: (reason, message) => {
        scheduled();
        setContainer({ waiting: { reason, ...(message ? { message } : {}) } });
        this.update('pods', pod);
      },
      running: () => {
        scheduled();
        pod.status.phase = 'Running';
        setContainer({ running: { startedAt: new Date().toISOString() } }, { ready: true, started: true });
        this.update('pods', pod);
      },
      log: (text) => this.appendLog(name, text),
      terminate: (exitCode, reason) => this.terminatePod(ns, name, exitCode, reason ?? (exitCode === 0 ? 'Completed' : 'Error'), job),
      onSigterm: (handler) => this.sigterm.set(name, handler),
      env: () => {
        const out: Record<string, string> = {};
        for (const e of pod.spec.containers[0].env ?? []) {
          if (e.value !== undefined) out[e.name] = e.value;
          const ref = e.valueFrom?.secretKeyRef;
          if (ref) {
            const secret = this.objects.secrets.get(this.key(ns, ref.name));
            const v = secret?.data?.[ref.key];
            if (v === undefined) return null;
            out[e.name] = Buffer.from(v, 'base64').toString('utf8');
          }
        }
        return out;
      },
    };
  }

  private terminatePod(ns: string, name: string, exitCode: number, reason: string, job?: Obj): void {
    const pod = this.objects.pods.get(this.key(ns, name));
    if (!pod) return;
    const log = this.logs.get(name);
    if (log && !log.done) {
      log.done = true;
      for (const l of log.listeners) l();
    }
    pod.status.phase = exitCode === 0 ? 'Succeeded' : 'Failed';
    pod.status.containerStatuses = [{ ...pod.status.containerStatuses?.[0], ready: false, state: { terminated: { exitCode, reason, finishedAt: new Date().toISOString() } } }];
    this.update('pods', pod);
    const owner = job ?? [...this.objects.jobs.values()].find((j) => pod.metadata.ownerReferences?.[0]?.uid === j.metadata.uid);
    if (owner && this.objects.jobs.has(this.key(ns, owner.metadata.name))) {
      const failedBy = owner.status.conditions?.find((c: { reason?: string }) => c.reason === 'DeadlineExceeded');
      owner.status = {
        ...owner.status,
        active: 0,
        ...(exitCode === 0 && !failedBy ? { succeeded: 1 } : { failed: 1 }),
        conditions: failedBy
          ? [failedBy, { ...failedBy, type: 'Failed' }]
          : [{ type: exitCode === 0 ? 'Complete' : 'Failed', status: 'True', ...(exitCode === 0 ? {} : { reason: 'BackoffLimitExceeded' }) }],
      };
      this.update('jobs', owner);
    }
    if (pod.metadata.deletionTimestamp) {
      this.remove('pods', ns, name);
      if (owner?.metadata.deletionTimestamp && this.podsOf(owner).length === 0) this.remove('jobs', ns, owner.metadata.name);
    }
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
  }
}
