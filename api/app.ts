// The Express application, built from injected dependencies so tests and the launcher wire it alike.
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { authenticate, type TokenEntry } from './auth';
import { databaseDataError, describeDatabaseDataError, loggableDatabaseError } from '../db/errors';
import { ConflictError, NotFoundError, UnprocessableError } from '../domain/errors';
import { HttpProblem, problems, sendProblem } from './problem';
import { mountRoutes, openApiDocument, route, type RouteSpec } from './route';
import { isTemporalUnavailable, TEMPORAL_RETRY_AFTER_SECONDS } from './temporal-errors';

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

/** A PostgreSQL restart takes a few seconds; asking the ERP back sooner only adds load to the recovery. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** Socket-level failures: the server is down, restarting or unreachable. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/**
 * SQLSTATEs of a server that is not serving right now: class 08 (connection exception), 57P01 admin
 * shutdown (a restart ends open connections), 57P02 crash shutdown, 57P03 starting up or shutting down,
 * 53300 too many connections.
 */
const UNAVAILABLE_SQLSTATE = /^(08[0-9A-Z]{3}|57P0[123]|53300)$/;
/** node-postgres and knex say it in words only: a connection dropped mid-query, or none free in time. */
const DROPPED_CONNECTION = /Connection terminated|Client has encountered a connection error|Connection is closed|Timeout acquiring a connection/i;

/**
 * True when `err` says PostgreSQL is unreachable rather than that the request or our code is wrong.
 * Looks through `cause` chains and AggregateErrors (a host name resolving to several addresses fails
 * with one error per address).
 */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (depth > 4 || typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (e.name === 'KnexTimeoutError') return true;
  if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || UNAVAILABLE_SQLSTATE.test(e.code))) return true;
  if (typeof e.message === 'string' && DROPPED_CONNECTION.test(e.message)) return true;
  if (Array.isArray(e.errors) && e.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))) return true;
  return isDatabaseUnavailable(e.cause, depth + 1);
}

function errorHandler(logger: Logger, bodyLimit: string): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let problem: HttpProblem;
    let refused: ReturnType<typeof databaseDataError>;
    if (err instanceof HttpProblem) problem = err;
    else if (err?.type === 'entity.parse.failed') problem = problems.malformedJson(String(err.message));
    else if (err?.type === 'entity.too.large') problem = problems.tooLarge(bodyLimit);
    else if (err?.type === 'encoding.unsupported' || err?.type === 'charset.unsupported') problem = problems.unsupportedMediaType(req.headers['content-type']);
    // Express could not percent-decode a path parameter (`/v1/goods/%E0%A4`): the caller's mistake, not ours.
    else if (err instanceof URIError && (err as URIError & { status?: number }).status === 400) problem = problems.validation([{ field: '(path)', message: 'is not valid percent-encoding' }]);
    // body-parser's other read failures (a body announced as gzip that is not, a truncated upload) carry 400.
    else if (err?.status === 400 && err?.expose === true) problem = problems.unreadableBody(String(err.message));
    else if (err instanceof NotFoundError) problem = problems.notFound(err.message);
    else if (err instanceof ConflictError) problem = problems.conflict(err.message, { reason: err.reason, ...err.details });
    else if (err instanceof UnprocessableError) problem = problems.unprocessable(err.reason, err.message, err.details);
    // PostgreSQL refused the data itself: the caller's input (or a conflict with other rows), not an outage
    // and not worth a 500. The log line carries the SQLSTATE and schema names only (db/errors.ts says why).
    else if ((refused = databaseDataError(err))) {
      const reason = describeDatabaseDataError(refused);
      problem =
        refused.kind === 'data'
          ? problems.validation([{ field: '(body)', message: `holds a value the database cannot store: ${reason}` }])
          : problems.conflict(`The database refused the change: ${reason}`, { reason: 'constraint-violation', sqlState: refused.sqlState });
      const { description: _description, ...where } = refused;
      logger.warn({ method: req.method, path: req.path, status: problem.status, ...where }, 'request refused by the database');
    }
    // Outages are the ERP's cue to retry, not bugs: 503 with Retry-After. Whether a write was carried out
    // before the connection dropped is unknown, and need not be: every write here is safe to repeat.
    else if (isDatabaseUnavailable(err)) {
      problem = problems.unavailable('The database is unreachable (restarting?); the request may not have been carried out. Retry it after Retry-After seconds.', DATABASE_RETRY_AFTER_SECONDS);
    } else if (isTemporalUnavailable(err)) {
      problem = problems.unavailable('The workflow service (Temporal) is unreachable; the request may not have been carried out. Retry it after Retry-After seconds.', TEMPORAL_RETRY_AFTER_SECONDS);
    } else {
      // A database error's detail and where quote the row, and its message can quote a value.
      const database = loggableDatabaseError(err);
      logger.error({ ...(database ? { database } : { err }), method: req.method, path: req.path }, 'unhandled error while serving a request');
      problem = problems.internal();
    }
    if (problem.status >= 500 && problem.status !== 500) {
      // The cause's first line names the failure (e.g. "connect ECONNREFUSED 127.0.0.1:5432"); SQL text has
      // placeholders only, but a server's message can quote a value, so a database error is named by its SQLSTATE.
      const database = loggableDatabaseError(err);
      const cause = err instanceof HttpProblem ? undefined : database ? `SQLSTATE ${database.sqlState}` : String((err as Error)?.message ?? err).split('\n')[0];
      logger.warn({ path: req.path, detail: problem.message, ...(cause && { cause }) }, 'request answered with a 5xx');
    }
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
