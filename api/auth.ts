// Bearer-token roles (DESIGN.md §5). Tokens are compared in constant time and never logged.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ConfigurationError } from '../config/errors';
import { problems } from './problem';

export const ROLES = ['erp', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface TokenEntry {
  role: Role;
  token: Buffer;
}

/**
 * Parses `API_TOKENS="role:token,role:token"`. A malformed entry, an entry without a role, or one token
 * under two roles (which role would it act as?) is a startup error, not a silent gap.
 */
export function parseApiTokens(spec: string): TokenEntry[] {
  const entries = spec
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part, index) => {
      const colon = part.indexOf(':');
      const role = part.slice(0, colon) as Role;
      const token = part.slice(colon + 1);
      if (colon <= 0 || !ROLES.includes(role)) {
        throw new ConfigurationError([`API_TOKENS entry ${index + 1} must be "role:token" with role one of ${ROLES.join(', ')}`]);
      }
      if (token.length < 16) throw new ConfigurationError([`API_TOKENS entry ${index + 1} (${role}): a token needs at least 16 characters`]);
      return { role, token: Buffer.from(token) };
    });
  const roleOf = new Map<string, Role>();
  entries.forEach(({ role, token }, index) => {
    const other = roleOf.get(token.toString());
    if (other !== undefined && other !== role) throw new ConfigurationError([`API_TOKENS entry ${index + 1}: the same token is listed for ${other} and ${role}; give each role its own token`]);
    roleOf.set(token.toString(), role);
  });
  if (entries.length === 0) throw new ConfigurationError(['API_TOKENS has no entry: give "erp:<token>,operator:<token>,admin:<token>"']);
  return entries;
}

/** One random token per role, for `npm start` without API_TOKENS. */
export function generateDevTokens(): Record<Role, string> {
  return Object.fromEntries(ROLES.map((role) => [role, `dev-${role}-${randomBytes(12).toString('hex')}`])) as Record<Role, string>;
}

export function tokensSpec(tokens: Record<Role, string>): string {
  return ROLES.map((role) => `${role}:${tokens[role]}`).join(',');
}

export interface Actor {
  role: Role;
}

declare module 'express-serve-static-core' {
  interface Request {
    actor?: Actor;
  }
}

function findRole(entries: TokenEntry[], presented: string): Role | undefined {
  const candidate = Buffer.from(presented);
  let found: Role | undefined;
  for (const entry of entries) {
    // Compare against every entry, so timing says nothing about which one matched.
    if (entry.token.length === candidate.length && timingSafeEqual(entry.token, candidate)) found = entry.role;
  }
  return found;
}

/** Identifies the caller from the bearer token; routes then demand roles with `requireRole`. */
export function authenticate(entries: TokenEntry[]): RequestHandler {
  return (req, _res, next) => {
    const header = req.headers.authorization;
    if (!header) return next();
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) return next(problems.unauthorized('The Authorization header must be "Bearer <token>"'));
    const role = findRole(entries, match[1]);
    if (!role) return next(problems.unauthorized('The bearer token is not valid'));
    req.actor = { role };
    next();
  };
}

/** `admin` may do everything; otherwise the caller's role must be listed. */
export function requireRole(roles: readonly Role[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.actor) return next(problems.unauthorized('This endpoint needs a bearer token (Authorization: Bearer <token>)'));
    if (req.actor.role !== 'admin' && !roles.includes(req.actor.role)) {
      return next(problems.forbidden(`The role "${req.actor.role}" may not do this; it needs ${[...roles, 'admin'].join(' or ')}`));
    }
    next();
  };
}
