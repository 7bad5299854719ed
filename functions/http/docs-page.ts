/**
 * A self-contained HTML reference rendered from the OpenAPI document: no scripts, no CDN assets,
 * so it works on an offline install. Schemas are shown as compact JSON.
 */
interface OpenApiDoc {
  info: { title: string; version: string; description?: string };
  paths?: Record<string, Record<string, Operation | undefined> | undefined>;
  components?: { schemas?: Record<string, unknown> };
}
interface Operation {
  summary?: string;
  description?: string;
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: unknown }[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string }>;
}

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch);

const schemaRef = (schema: unknown): string => {
  const ref = (schema as { $ref?: string } | undefined)?.$ref;
  if (typeof ref === 'string') {
    const name = ref.split('/').at(-1) ?? ref;
    return `<a href="#schema-${esc(name)}">${esc(name)}</a>`;
  }
  return `<code>${esc(JSON.stringify(schema ?? {}))}</code>`;
};

export function renderDocsPage(doc: unknown): string {
  const d = doc as OpenApiDoc;
  const ops: string[] = [];
  for (const [path, item] of Object.entries(d.paths ?? {})) {
    for (const [method, op] of Object.entries(item ?? {})) {
      if (op === undefined) continue;
      const params = (op.parameters ?? [])
        .map((p) => `<li><code>${esc(p.name)}</code> (${esc(p.in)}${p.required === true ? ', required' : ''}) ${esc(p.description ?? '')} ${schemaRef(p.schema)}</li>`)
        .join('');
      const body = Object.entries(op.requestBody?.content ?? {})
        .map(([type, c]) => `<p>Body <code>${esc(type)}</code>: ${schemaRef(c.schema)}</p>`)
        .join('');
      const responses = Object.entries(op.responses ?? {})
        .map(([status, res]) => `<li><b>${esc(status)}</b> ${esc(res.description ?? '')}</li>`)
        .join('');
      ops.push(`<section><h2><span class="m">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h2>
<p><b>${esc(op.summary ?? '')}</b> ${esc(op.description ?? '')}</p>
${params === '' ? '' : `<ul>${params}</ul>`}${body}<ul>${responses}</ul></section>`);
    }
  }
  const schemas = Object.entries(d.components?.schemas ?? {})
    .map(([name, s]) => `<section id="schema-${esc(name)}"><h3>${esc(name)}</h3><pre>${esc(JSON.stringify(s, null, 2))}</pre></section>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(d.info.title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
code,pre{font:13px ui-monospace,monospace}pre{background:#f4f4f4;padding:.5rem;overflow:auto}
.m{background:#223;color:#fff;padding:0 .4rem;border-radius:3px}section{border-top:1px solid #ddd}</style></head>
<body><h1>${esc(d.info.title)} ${esc(d.info.version)}</h1><p>${esc(d.info.description ?? '')}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a></p>${ops.join('\n')}<h2>Schemas</h2>${schemas}</body></html>`;
}
