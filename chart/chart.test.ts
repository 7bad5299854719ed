// Checks the chart as far as a machine without a cluster allows: values.yaml against
// values.schema.json, then — when a helm binary is present (see the README, "Deploying to a
// cluster") — `helm lint --strict` and `helm template` for several value sets, every rendered
// object validated against the Kubernetes schemas and the ConfigMap read by the executor's parser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadAllYaml, loadYaml } from '@kubernetes/client-node';
import { Ajv } from 'ajv';
import { parseKubernetesConfig } from '../adapters/kubernetes/config.ts';

const chartDir = new URL('.', import.meta.url).pathname;
const root = new URL('..', import.meta.url).pathname;
const schema = JSON.parse(readFileSync(`${chartDir}values.schema.json`, 'utf8')) as object;
const validateValues = new Ajv({ allErrors: true, strict: false }).compile(schema);

type Doc = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> }; [k: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

function findHelm(): string | undefined {
  const local = `${root}node_modules/.cache/reactorcide-helm/bin/helm`;
  if (existsSync(local)) return local;
  return spawnSync('helm', ['version', '--short']).status === 0 ? 'helm' : undefined;
}
const helm = findHelm();
const skipNoHelm = helm ? false : 'no helm binary (install it as the README says); values were still checked against the schema';

function helmRun(args: string[]): { status: number | null; out: string; err: string } {
  const r = spawnSync(helm as string, args, { encoding: 'utf8', cwd: root });
  return { status: r.status, out: r.stdout, err: r.stderr };
}
function render(sets: string[]): Doc[] {
  const r = helmRun(['template', 'rc', chartDir, '--namespace', 'reactorcide', ...sets.flatMap((s) => ['--set', s])]);
  assert.equal(r.status, 0, r.err);
  // loadAllYaml builds the client's model classes; plain JSON is what the schemas describe.
  return (JSON.parse(JSON.stringify(loadAllYaml(r.out))) as (Doc | null)[]).filter((d): d is Doc => d !== null);
}
async function validateAll(docs: Doc[]): Promise<void> {
  for (const doc of docs) {
    const mod = (await import(`kubernetes-models/${doc.apiVersion}/${doc.kind}`)) as Record<string, new (d: Doc) => { validate(): void }>;
    const Model = mod[doc.kind] as new (d: Doc) => { validate(): void };
    assert.doesNotThrow(() => new Model(doc).validate(), `${doc.kind} ${doc.metadata.name}`);
  }
}
const find = (docs: Doc[], kind: string, name: string): Doc | undefined => docs.find((d) => d.kind === kind && d.metadata.name === name);

test("values.yaml satisfies the chart's schema, and the schema refuses wrong values", () => {
  const values = loadYaml(readFileSync(`${chartDir}values.yaml`, 'utf8'));
  assert.ok(validateValues(values), JSON.stringify(validateValues.errors));
  const wrong = (patch: (v: any) => void): boolean => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const v = structuredClone(values) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    patch(v);
    return validateValues(v);
  };
  assert.equal(wrong((v) => (v.dispatcher.mode = 'cronjob')), false);
  assert.equal(wrong((v) => (v.jobs.tolerations = [{ key: 'x', operator: 'Maybe' }])), false);
  assert.equal(wrong((v) => (v.jobs.namespace = 'Not_A_Namespace')), false);
  assert.equal(wrong((v) => (v.jobs.maxResources.memory = 'lots')), false);
  assert.equal(wrong((v) => (v.jobs.maxResources.cpu = 4)), true, 'a bare number is a quantity too');
  assert.equal(wrong((v) => (v.database.url = 'mysql://x')), false);
  assert.equal(wrong((v) => (v.unknownSetting = true)), false);
});

test('helm lint --strict passes', { skip: skipNoHelm }, () => {
  const r = helmRun(['lint', '--strict', chartDir, '--set', 'database.url=postgres://rc@db/rc']);
  assert.equal(r.status, 0, r.out + r.err);
});

test('the default render: API, dispatcher Deployment, migration hook, RBAC limited to the job namespace', { skip: skipNoHelm }, async () => {
  const docs = render(['database.url=postgres://rc@db/rc', 'jobs.namespace=ci-jobs', 'jobs.maxResources.cpu=4', 'jobs.tolerations[0].key=ci', 'jobs.tolerations[0].operator=Exists']);
  await validateAll(docs);
  assert.deepEqual(docs.map((d) => d.kind).sort(), ['ConfigMap', 'Deployment', 'Deployment', 'Job', 'Role', 'RoleBinding', 'Secret', 'Secret', 'Service', 'ServiceAccount']);
  const api = find(docs, 'Deployment', 'rc-reactorcide-api');
  const container = api?.spec.template.spec.containers[0];
  assert.deepEqual(container.args, ['serve', '--no-dispatcher']);
  assert.equal(container.livenessProbe.httpGet.path, '/healthz');
  assert.equal(container.readinessProbe.httpGet.path, '/readyz');
  assert.equal(api?.spec.template.spec.automountServiceAccountToken, false);
  assert.deepEqual(find(docs, 'Deployment', 'rc-reactorcide-dispatcher')?.spec.template.spec.containers[0].args, ['dispatcher']);
  const migrate = find(docs, 'Job', 'rc-reactorcide-migrate');
  assert.equal(migrate?.metadata.annotations?.['helm.sh/hook'], 'pre-install,pre-upgrade');
  assert.deepEqual(migrate?.spec.template.spec.containers[0].args, ['migrate']);
  const role = find(docs, 'Role', 'rc-reactorcide-dispatcher');
  assert.equal(role?.metadata.namespace, 'ci-jobs');
  assert.deepEqual(role?.rules.map((r: { resources: string[]; verbs: string[] }) => `${r.resources.join()}:${r.verbs.join()}`), ['jobs:create,get,list,watch,delete', 'pods:get,list,watch', 'pods/log:get', 'secrets:create,get']);
  assert.equal(find(docs, 'RoleBinding', 'rc-reactorcide-dispatcher')?.subjects[0].namespace, 'reactorcide');
  // The ConfigMap is what the dispatcher's config parser reads: it must parse, and mean what the values said.
  const config = parseKubernetesConfig(find(docs, 'ConfigMap', 'rc-reactorcide')?.data as Record<string, string>);
  assert.equal(config.namespace, 'ci-jobs');
  assert.equal(config.runnerImage, 'ghcr.io/reactorcide/reactorcide-runner:0.1.0');
  assert.deepEqual(config.maxResources, { cpu: '4' });
  assert.deepEqual(config.tolerations, [{ key: 'ci', operator: 'Exists' }]);
});

test('the dispatcher as a sidecar, an Ingress, and existing Secrets instead of values', { skip: skipNoHelm }, async () => {
  const docs = render(['dispatcher.mode=sidecar', 'api.ingress.enabled=true', 'api.ingress.host=ci.example.com', 'database.existingSecret=pg', 's3.existingSecret=s3-creds', 's3.bucket=logs', 'corndogs.address=corndogs:5080']);
  await validateAll(docs);
  assert.equal(find(docs, 'Deployment', 'rc-reactorcide-dispatcher'), undefined);
  assert.equal(docs.filter((d) => d.kind === 'Secret').length, 0, 'no Secret of the chart holds a value');
  const pod = find(docs, 'Deployment', 'rc-reactorcide-api')?.spec.template.spec;
  assert.deepEqual(pod.containers.map((c: { name: string }) => c.name), ['api', 'dispatcher']);
  assert.equal(pod.automountServiceAccountToken, true);
  assert.deepEqual(pod.containers[0].env, [{ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'pg', key: 'DATABASE_URL' } } }]);
  assert.equal(find(docs, 'Ingress', 'rc-reactorcide')?.spec.rules[0].host, 'ci.example.com');
  const data = find(docs, 'ConfigMap', 'rc-reactorcide')?.data;
  assert.equal(data.CORNDOGS_ADDRESS, 'corndogs:5080');
  assert.equal(data.REACTORCIDE_S3_BUCKET, 'logs');
});

test('the master keys of secrets come from an existing Secret, to the API and the dispatcher alike', { skip: skipNoHelm }, async () => {
  const docs = render(['database.url=postgres://db/rc', 'secretKeys.existingSecret=rc-master-keys']);
  await validateAll(docs);
  const ref = { name: 'REACTORCIDE_SECRET_KEYS', valueFrom: { secretKeyRef: { name: 'rc-master-keys', key: 'REACTORCIDE_SECRET_KEYS' } } };
  for (const name of ['rc-reactorcide-api', 'rc-reactorcide-dispatcher']) {
    const container = find(docs, 'Deployment', name)?.spec.template.spec.containers[0];
    assert.deepEqual(container.env, [ref], name);
  }
});

test('without a database the render fails and says what is missing', { skip: skipNoHelm }, () => {
  const r = helmRun(['template', 'rc', chartDir]);
  assert.notEqual(r.status, 0);
  assert.match(r.err, /database\.url or database\.existingSecret is required/);
});
