// The Express application, built from injected dependencies so tests and the launcher wire it alike.
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { authenticate, type TokenEntry } from './auth';
import { ConflictError, NotFoundError, UnprocessableError } from '../domain/errors';
import { HttpProblem, problems, sendProblem } from './problem';
import { mountRoutes, openApiDocument, route, type RouteSpec } from './route';

export interface AppOptions {
  tokens: TokenEntry[];
  logger: Logger;
  /** Route groups, each built by its module from the dependencies it needs. */
  routes: readonly RouteSpec[];
  /** Largest JSON body accepted; ERP documents with hundreds of lines fit comfortably. */
  bodyLimit?: string;
  version?: string;
}

const requireJsonBody: RequestHandler = (req, _res, next) => {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && !req.is('application/json')) return next(problems.unsupportedMediaType(req.headers['content-type']));
  next();
};

function errorHandler(logger: Logger, bodyLimit: string): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let problem: HttpProblem;
    if (err instanceof HttpProblem) problem = err;
    else if (err?.type === 'entity.parse.failed') problem = problems.malformedJson(String(err.message));
    else if (err?.type === 'entity.too.large') problem = problems.tooLarge(bodyLimit);
    else if (err?.type === 'encoding.unsupported' || err?.type === 'charset.unsupported') problem = problems.unsupportedMediaType(req.headers['content-type']);
    else if (err instanceof NotFoundError) problem = problems.notFound(err.message);
    else if (err instanceof ConflictError) problem = problems.conflict(err.message, { reason: err.reason, ...err.details });
    else if (err instanceof UnprocessableError) problem = problems.unprocessable(err.reason, err.message, err.details);
    else {
      logger.error({ err, method: req.method, path: req.path }, 'unhandled error while serving a request');
      problem = problems.internal();
    }
    if (problem.status >= 500 && problem.status !== 500) logger.warn({ path: req.path, detail: problem.message }, 'request answered with a 5xx');
    sendProblem(res, problem);
  };
}

export function createApp(options: AppOptions): express.Express {
  const bodyLimit = options.bodyLimit ?? '1mb';
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(
    pinoHttp({
      logger: options.logger,
      // Requests carry bearer tokens and consignee data: log the route and outcome only.
      serializers: {
        req: (req) => ({ id: req.id, method: req.method, url: String(req.url).split('?')[0] }),
        res: (res) => ({ statusCode: res.statusCode }),
      },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    }),
  );
  app.use(requireJsonBody);
  app.use(express.json({ limit: bodyLimit, strict: true }));
  app.use(authenticate(options.tokens));

  const docs = route({
    method: 'get',
    path: '/docs',
    summary: 'This OpenAPI document',
    tag: 'ops',
    roles: 'public',
    responses: { 200: { description: 'OpenAPI 3.1 document' } },
    handler: async () => ({ status: 200, body: document }),
  });
  const allRoutes = [...options.routes, docs];
  const document = openApiDocument(allRoutes, { title: 'eclp-bridge', version: options.version ?? '0.1.0' });

  const router = express.Router();
  mountRoutes(router, allRoutes);
  app.use(router);
  app.use((req, _res, next) => next(problems.notFound(`No route ${req.method} ${req.path}`)));
  app.use(errorHandler(options.logger, bodyLimit));
  // Exposed for the role audit and the fuzzer: the exact list Express serves.
  app.locals.routes = allRoutes;
  return app;
}
