import type { CallOptions } from './create-client.ts';
import type { Transport } from './transport.ts';
import type { AuditPageView, CreateDefinitionInput, JobDefinition, ListAuditFilter, SecretInfo } from './types.ts';

const versionPath = (name: string, version: number): string => `/v1/definitions/${encodeURIComponent(name)}/versions/${version}`;

/**
 * The trust model's routes: job definitions (maintainers write and approve, everyone reads),
 * secrets (admins; no call ever returns a value) and the audit log (admins).
 */
export function trustCalls(t: Transport) {
  return {
    /** `POST /v1/definitions`: the name's next version, pending approval. Sent once. */
    createDefinition(input: CreateDefinitionInput, opts: CallOptions = {}): Promise<JobDefinition> {
      return t.json<JobDefinition>({ method: 'POST', path: '/v1/definitions', json: input, idempotent: false, signal: opts.signal });
    },

    /** Every version, newest first; `name` narrows to one definition. */
    async listDefinitions(filter: { readonly name?: string; readonly limit?: number } = {}, opts: CallOptions = {}): Promise<readonly JobDefinition[]> {
      const r = await t.json<{ definitions: JobDefinition[] }>({ method: 'GET', path: '/v1/definitions', query: filter, idempotent: true, signal: opts.signal });
      return r.definitions;
    },

    getDefinition(name: string, version: number, opts: CallOptions = {}): Promise<JobDefinition> {
      return t.json<JobDefinition>({ method: 'GET', path: versionPath(name, version), idempotent: true, signal: opts.signal });
    },

    /** Approving twice leaves it approved, so a retry is safe. */
    approveDefinition(name: string, version: number, opts: CallOptions = {}): Promise<JobDefinition> {
      return t.json<JobDefinition>({ method: 'POST', path: `${versionPath(name, version)}/approve`, idempotent: true, signal: opts.signal });
    },

    revokeDefinition(name: string, version: number, opts: CallOptions = {}): Promise<JobDefinition> {
      return t.json<JobDefinition>({ method: 'POST', path: `${versionPath(name, version)}/revoke`, idempotent: true, signal: opts.signal });
    },

    /** `PUT /v1/secrets/:name`: stores (or replaces) the value; the answer is metadata only. */
    putSecret(name: string, value: string, opts: CallOptions = {}): Promise<SecretInfo> {
      return t.json<SecretInfo>({ method: 'PUT', path: `/v1/secrets/${encodeURIComponent(name)}`, json: { value }, idempotent: true, signal: opts.signal });
    },

    async listSecrets(opts: CallOptions = {}): Promise<readonly SecretInfo[]> {
      return (await t.json<{ secrets: SecretInfo[] }>({ method: 'GET', path: '/v1/secrets', idempotent: true, signal: opts.signal })).secrets;
    },

    async deleteSecret(name: string, opts: CallOptions = {}): Promise<void> {
      await t.call({ method: 'DELETE', path: `/v1/secrets/${encodeURIComponent(name)}`, idempotent: false, signal: opts.signal });
    },

    /** Re-seals every value under the current master key. */
    rotateSecrets(opts: CallOptions = {}): Promise<{ rotated: number; failed: readonly string[] }> {
      return t.json({ method: 'POST', path: '/v1/secrets/rotate', idempotent: true, signal: opts.signal });
    },

    listAudit(filter: ListAuditFilter = {}, opts: CallOptions = {}): Promise<AuditPageView> {
      const { action, ...rest } = filter;
      return t.json<AuditPageView>({
        method: 'GET',
        path: '/v1/audit',
        query: { ...rest, action: typeof action === 'string' ? [action] : action },
        idempotent: true,
        signal: opts.signal,
      });
    },
  };
}
