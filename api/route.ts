// A route is declared once — method, path, roles, zod schemas, handler — and that one declaration
// feeds Express (validation, auth), the OpenAPI document and the role audit. Nothing is written twice.
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import type { Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import { requireRole, type Actor, type Role } from './auth';
import { problems, type FieldError } from './problem';

export type Method = 'get' | 'put' | 'post' | 'delete';

export interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  actor: Actor | undefined;
  req: Request;
  res: Response;
}

type AnyObject = z.ZodObject<z.ZodRawShape>;

export interface RouteSpec<P extends AnyObject = AnyObject, Q extends AnyObject = AnyObject, B extends z.ZodType = z.ZodType> {
  method: Method;
  /** OpenAPI style: `/v1/goods/{sku}`. */
  path: string;
  summary: string;
  tag: string;
  /** Who may call it; `public` only for health and docs. */
  roles: readonly Role[] | 'public';
  params?: P;
  query?: Q;
  body?: B;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  handler(ctx: RouteContext<z.infer<P>, z.infer<Q>, z.infer<B>>): Promise<RouteResult>;
}

/** Identity function that lets TypeScript infer the handler's argument types from the schemas. */
export function route<P extends AnyObject = AnyObject, Q extends AnyObject = AnyObject, B extends z.ZodType = z.ZodType>(
  spec: RouteSpec<P, Q, B>,
): RouteSpec {
  return spec as unknown as RouteSpec;
}

export function isMutating(spec: Pick<RouteSpec, 'method'>): boolean {
  return spec.method !== 'get';
}

/** Zod issues → the field paths and messages problem+json carries. */
export function fieldErrors(error: z.ZodError, prefix = ''): FieldError[] {
  return error.issues.flatMap((issue) => {
    const path = issue.path.map(String);
    // A typo'd field name is reported under its own name, so the caller sees which one we did not know.
    if (issue.code === 'unrecognized_keys') {
      // An empty key would otherwise come out as no name at all.
      return issue.keys.map((key) => ({ field: prefix + [...path, key === '' ? '""' : key].join('.'), message: 'is not a known field' }));
    }
    return [{ field: prefix + (path.join('.') || '(body)'), message: issue.message }];
  });
}

function parsePart<T extends z.ZodType>(schema: T | undefined, value: unknown, prefix: string, errors: FieldError[]): unknown {
  if (!schema) return value;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  errors.push(...fieldErrors(result.error, prefix));
  return undefined;
}

function toExpressPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

function handlerFor(spec: RouteSpec): RequestHandler {
  return async (req, res, next) => {
    try {
      const errors: FieldError[] = [];
      const params = parsePart(spec.params, req.params, 'path.', errors);
      const query = parsePart(spec.query, req.query, 'query.', errors);
      const body = parsePart(spec.body, req.body, '', errors);
      if (errors.length > 0) throw problems.validation(errors);
      const result = await spec.handler({ params, query, body, actor: req.actor, req, res } as RouteContext<never, never, never>);
      res.status(result.status).set(result.headers ?? {});
      if (result.body === undefined) res.end();
      else res.json(result.body);
    } catch (err) {
      next(err);
    }
  };
}

export function mountRoutes(router: Router, routes: readonly RouteSpec[]): void {
  for (const spec of routes) {
    const guards = spec.roles === 'public' ? [] : [requireRole(spec.roles)];
    router[spec.method](toExpressPath(spec.path), ...guards, handlerFor(spec));
  }
}

/** The OpenAPI 3.1 document for `/docs`, generated from the same route declarations Express runs. */
export function openApiDocument(routes: readonly RouteSpec[], info: { title: string; version: string }): object {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  for (const spec of routes) {
    const roleNote = spec.roles === 'public' ? 'No token needed.' : `Roles: ${[...spec.roles, 'admin'].join(', ')}.`;
    registry.registerPath({
      method: spec.method,
      path: spec.path,
      summary: spec.summary,
      description: roleNote,
      tags: [spec.tag],
      security: spec.roles === 'public' ? [] : [{ bearer: [] }],
      request: {
        params: spec.params,
        query: spec.query,
        body: spec.body ? { content: { 'application/json': { schema: spec.body } } } : undefined,
      },
      responses: Object.fromEntries(
        Object.entries(spec.responses).map(([code, r]) => [
          code,
          { description: r.description, content: r.schema ? { [Number(code) >= 400 ? 'application/problem+json' : 'application/json']: { schema: r.schema } } : undefined },
        ]),
      ),
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({ openapi: '3.1.0', info });
}
