// openapi_check.mjs - docs/openapi.yaml and goldwatch-api's route table
// agree in both directions: every route is documented with the role
// (x-role) and the body type the table enforces, every documented
// operation is a route, and every /api operation documents a 2xx answer
// and JSON error bodies.
//
//   node tests/openapi_check.mjs build/goldwatch-api
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const bin = process.argv[2];
const doc = parse(readFileSync(new URL('../docs/openapi.yaml', import.meta.url), 'utf8'));
const problems = [];

const routes = new Map();
for (const line of execFileSync(bin, ['--routes'], { encoding: 'utf8' }).trim().split('\n')) {
  const [method, path, role, body, page] = line.split(/\s+/);
  routes.set(`${method} ${path}`, { role, body, page: page === 'page' });
}

const bodyKind = (op) => {
  const content = op.requestBody?.content ?? {};
  if ('application/json' in content) return 'json';
  if ('application/x-www-form-urlencoded' in content) return 'form';
  return 'none';
};

const resolve = (obj) => {
  let o = obj;
  while (o && o.$ref) {
    o = o.$ref.replace(/^#\//, '').split('/').reduce((a, k) => a[k.replace(/~1/g, '/')], doc);
  }
  return o;
};

const documented = new Set();
for (const [path, item] of Object.entries(doc.paths)) {
  for (const method of ['get', 'put', 'post', 'patch', 'delete']) {
    const op = item[method];
    if (!op) continue;
    const key = `${method.toUpperCase()} ${path}`;
    documented.add(key);
    const route = routes.get(key);
    if (!route) {
      problems.push(`documented but not a route: ${key}`);
      continue;
    }
    if (op['x-role'] !== route.role)
      problems.push(`${key}: x-role ${op['x-role']} but the route table says ${route.role}`);
    if (bodyKind(op) !== route.body)
      problems.push(`${key}: documented body ${bodyKind(op)} but the route takes ${route.body}`);
    if (path.startsWith('/api/')) {
      const codes = Object.keys(op.responses ?? {});
      if (!codes.some((c) => c.startsWith('2')))
        problems.push(`${key}: no 2xx response documented`);
      for (const c of codes.filter((c) => /^[45]/.test(c))) {
        const r = resolve(op.responses[c]);
        if (!r?.content?.['application/json'])
          problems.push(`${key}: error ${c} is not documented as JSON`);
      }
      if (route.role !== 'public' && !codes.includes('401'))
        problems.push(`${key}: needs a sign-in but documents no 401`);
      if (['operator', 'admin'].includes(route.role) && !codes.includes('403'))
        problems.push(`${key}: needs role ${route.role} but documents no 403`);
    }
  }
}
for (const key of routes.keys())
  if (!documented.has(key)) problems.push(`route not documented: ${key}`);

if (problems.length) {
  console.error(problems.map((p) => `openapi: ${p}`).join('\n'));
  process.exit(1);
}
console.log(`openapi: ${routes.size} routes and ${documented.size} documented operations agree`);
