/**
 * Keeps an up-to-date view of the objects of one kind matching a label selector: list, then
 * watch from the list's resourceVersion; when the watch ends or breaks (API servers close
 * watches routinely, networks drop them), list again and watch again, with backoff on errors.
 * Listing again after every break means a deletion missed while disconnected is still seen.
 */
import { Watch, type KubeConfig, type V1ObjectMeta } from '@kubernetes/client-node';

export interface Listed<T> {
  readonly items: T[];
  readonly metadata?: { readonly resourceVersion?: string };
}

export interface ObjectWatchOptions<T> {
  readonly kubeConfig: KubeConfig;
  /** The collection's path, e.g. `/apis/batch/v1/namespaces/ci/jobs`. */
  readonly path: string;
  readonly labelSelector: string;
  readonly list: () => Promise<Listed<T>>;
  /** Called after every change of the view (and after each re-list). */
  readonly onChange: () => void;
  readonly onError: (err: unknown) => void;
  readonly signal: AbortSignal;
}

export class ObjectWatch<T extends { metadata?: V1ObjectMeta }> {
  readonly items = new Map<string, T>();
  /** True once the first list has answered: until then "absent" means "not known yet". */
  synced = false;
  private readonly done: Promise<void>;

  constructor(private readonly o: ObjectWatchOptions<T>) {
    this.done = this.loop();
  }

  /**
   * Lists again now, beside the watch, and merges what it finds into the view: current as of
   * this moment, however far the watch stream lags. Another watch's news (a Job seen finished)
   * can be checked against it before anything is concluded.
   */
  async resync(): Promise<void> {
    const listed = await this.o.list();
    for (const item of listed.items) this.items.set(item.metadata?.name ?? '', item);
    this.o.onChange();
  }

  /** Resolves after the watch has stopped (its signal aborted). */
  stopped(): Promise<void> {
    return this.done;
  }

  private async loop(): Promise<void> {
    const watch = new Watch(this.o.kubeConfig);
    let backoffMs = 100;
    while (!this.o.signal.aborted) {
      try {
        const listed = await this.o.list();
        this.items.clear();
        for (const item of listed.items) this.items.set(item.metadata?.name ?? '', item);
        this.synced = true;
        this.o.onChange();
        await new Promise<void>((resolve, reject) => {
          let controller: AbortController | undefined;
          const onAbort = (): void => controller?.abort();
          watch
            .watch(
              this.o.path,
              { labelSelector: this.o.labelSelector, resourceVersion: listed.metadata?.resourceVersion, allowWatchBookmarks: true },
              (type: string, obj: T) => {
                const name = obj?.metadata?.name ?? '';
                if (type === 'ADDED' || type === 'MODIFIED') this.items.set(name, obj);
                else if (type === 'DELETED') this.items.delete(name);
                else return; // BOOKMARK, or ERROR (e.g. 410 Gone): the next list catches up
                this.o.onChange();
              },
              (err: unknown) => {
                this.o.signal.removeEventListener('abort', onAbort);
                if (err && !this.o.signal.aborted && (err as { name?: string }).name !== 'AbortError') reject(err);
                else resolve();
              },
            )
            .then((c) => {
              controller = c;
              if (this.o.signal.aborted) c.abort();
              else this.o.signal.addEventListener('abort', onAbort, { once: true });
            }, reject);
        });
        backoffMs = 100;
        await new Promise((r) => setTimeout(r, 50)); // a server closing every watch at once must not spin us
      } catch (err) {
        if (this.o.signal.aborted) break;
        this.o.onError(err);
        await new Promise((r) => setTimeout(r, backoffMs));
        backoffMs = Math.min(backoffMs * 2, 10_000);
      }
    }
  }
}
