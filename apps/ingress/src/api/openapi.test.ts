import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, describe, expect, it } from 'vitest';
import { testIngressDomain } from '../../../../test/support/ingress-domain.js';
import { adminApiRoutes } from '../routes/admin-api.js';
import { expressPath } from '../routes/endpoint.js';
import { documentedOperations } from '../routes/openapi.js';
import { buildOpenApiDocument } from './openapi.js';

const ctx = testIngressDomain('openapi');
afterAll(() => ctx.close());

const adminApi = adminApiRoutes(ctx.domain);
const document = buildOpenApiDocument(documentedOperations(adminApi)) as {
  paths: Record<
    string,
    Record<
      string,
      { security: unknown[]; requestBody?: { required: boolean; content: Record<string, { schema: any }> }; responses: Record<string, any> }
    >
  >;
  components: { schemas: Record<string, unknown>; responses: Record<string, unknown> };
};

/** `METHOD /path` of every route Express serves on the admin routers, in Express's `:param` form. */
function mountedRoutes(): string[] {
  return adminApi.flatMap((router) =>
    (router.stack as Array<{ route?: { path: string; methods: Record<string, boolean> } }>).flatMap((layer) =>
      layer.route ? Object.keys(layer.route.methods).map((method) => `${method.toUpperCase()} ${layer.route!.path}`) : [],
    ),
  );
}

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1', async () => {
    const validator = new Validator();
    const result = await validator.validate(document as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('lists every route the admin API mounts, behind the admin token, and nothing it does not serve under /api/v1', () => {
    const documented = Object.entries(document.paths)
      .filter(([path]) => path.startsWith('/api/v1/') && path !== '/api/v1/openapi.json')
      .flatMap(([path, methods]) =>
        Object.keys(methods).map((method) => `${method.toUpperCase()} ${expressPath(path.slice('/api/v1'.length))}`),
      );
    expect(documented.sort()).toEqual(mountedRoutes().sort());
    for (const [path, methods] of Object.entries(document.paths)) {
      if (path.startsWith('/api/v1/') && path !== '/api/v1/openapi.json')
        for (const op of Object.values(methods)) expect(op.security).toEqual([{ adminToken: [] }]);
    }
  });

  it('every reference resolves to a component', () => {
    const refs = [...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/(schemas|responses)\/([^"]+)"/g)];
    expect(refs.length).toBeGreaterThan(0);
    for (const [, kind, name] of refs)
      expect(Object.keys(document.components[kind as 'schemas' | 'responses']), `${kind}/${name}`).toContain(name);
  });

  it('says what the routes parse: optional bodies, admin-only reads, both answers of a workflow PUT, the definition (its name from the path)', () => {
    expect(document.paths['/api/v1/webhooks/{webhookId}/keys']!.post!.requestBody!.required).toBe(false);
    expect(document.paths['/api/v1/agents']!.post!.requestBody!.required).toBe(true);
    expect(Object.keys(document.paths['/api/v1/webhooks/{webhookId}/private-key']!.get!.responses)).toContain('403');
    const put = document.paths['/api/v1/workflows/{name}']!.put!;
    expect(Object.keys(put.responses)).toEqual(expect.arrayContaining(['200', '201', '400']));
    const definition = put.requestBody!.content['application/json']!.schema;
    expect(definition).toMatchObject({
      type: 'object',
      required: ['steps'],
      properties: { name: { type: 'string' }, steps: { minItems: 1 } },
    });
  });
});
