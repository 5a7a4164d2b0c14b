// JD's OAuth2 endpoints (eclp-api.md §1.8) on the simulator's server, and the token book the gateway
// checks `access_token` against:
//   GET /oauth2/to_login?app_key&response_type=code&redirect_uri&state&scope  → 302 redirect_uri?code&state
//       (the merchant's login and consent are auto-approved)
//   GET /oauth2/access_token?app_key&app_secret&grant_type=authorization_code&code
//   GET /oauth2/refresh_token?app_key&app_secret&grant_type=refresh_token&refresh_token
// Token answers carry JD's fields: access_token, expires_in (s), refresh_token, time (ms) [C: S2]; the
// error shape `{ code, msg }` is a guess [G] (no source shows JD's). Issued tokens are valid until they
// expire or a refresh replaces them (then code 19); the development token stays valid unless told.
// Control: GET/PUT /_sim/oauth (lifetime, dev token, refuse refreshes), POST /_sim/oauth/expire.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import express from 'express';
import { z } from 'zod';
import type { EclpCredentials } from '../eclp/config';
import type { SimulatorLogger } from './logger';

/** Default lifetime of issued access tokens (ECLP_SIM_TOKEN_LIFETIME_MS). JD's real lifetime is not confirmed. */
export const DEFAULT_TOKEN_LIFETIME_MS = 24 * 3600_000;
/** An authorisation code is good for one exchange within five minutes. */
export const CODE_LIFETIME_MS = 5 * 60_000;

export interface SimOAuthOptions {
  /** Lifetime of the access tokens it issues; default ECLP_SIM_TOKEN_LIFETIME_MS or 24 h. */
  tokenLifetimeMs?: number;
  /** Keep issued tokens across restarts in this JSON file (npm start). */
  stateFile?: string;
}

interface IssuedToken {
  expiresAt: number;
  /** Replaced by a refresh of its pair: JD answers 19 to it from then on. */
  replaced: boolean;
  refreshToken: string;
}

interface OAuthBook {
  tokenLifetimeMs: number;
  devTokenValid: boolean;
  /** When set, refresh_token answers this error (a JD refusing refreshes). */
  refuseRefresh: string | null;
  tokens: Record<string, IssuedToken>;
  /** refresh token → the access token it belongs to (only the latest of each chain is kept). */
  refreshTokens: Record<string, string>;
  issued: number;
  refreshed: number;
}

const control = z.strictObject({
  tokenLifetimeMs: z.number().int().min(1000).optional(),
  devTokenValid: z.boolean().optional(),
  refuseRefresh: z.union([z.string().min(1), z.literal(false), z.null()]).optional(),
});

export class SimOAuth {
  private book: OAuthBook;
  private readonly codes = new Map<string, { issuedAt: number; redirectUri: string }>();

  constructor(
    private readonly credentials: EclpCredentials,
    private readonly options: SimOAuthOptions = {},
    private readonly logger?: SimulatorLogger,
  ) {
    this.book = {
      tokenLifetimeMs: options.tokenLifetimeMs ?? lifetimeFromEnv(),
      devTokenValid: true,
      refuseRefresh: null,
      tokens: {},
      refreshTokens: {},
      issued: 0,
      refreshed: 0,
    };
    if (options.stateFile) this.load(options.stateFile);
  }

  /** The gateway's check of `access_token` (code 19 when false). */
  tokenValid(token: string, now = Date.now()): boolean {
    if (token === this.credentials.accessToken) return this.book.devTokenValid;
    const issued = this.book.tokens[token];
    return issued !== undefined && !issued.replaced && issued.expiresAt > now;
  }

  snapshot() {
    const now = Date.now();
    const tokens = Object.values(this.book.tokens);
    return {
      tokenLifetimeMs: this.book.tokenLifetimeMs,
      devTokenValid: this.book.devTokenValid,
      refuseRefresh: this.book.refuseRefresh,
      issued: this.book.issued,
      refreshed: this.book.refreshed,
      liveTokens: tokens.filter((t) => !t.replaced && t.expiresAt > now).map((t) => ({ expiresAt: new Date(t.expiresAt).toISOString() })),
    };
  }

  /** Expires every live issued token now (the development token is not touched). */
  expireAll(): number {
    let expired = 0;
    for (const token of Object.values(this.book.tokens)) {
      if (!token.replaced && token.expiresAt > Date.now()) {
        token.expiresAt = Date.now();
        expired += 1;
      }
    }
    this.save();
    return expired;
  }

  configure(patch: { tokenLifetimeMs?: number; devTokenValid?: boolean; refuseRefresh?: string | false | null }): void {
    if (patch.tokenLifetimeMs !== undefined) this.book.tokenLifetimeMs = patch.tokenLifetimeMs;
    if (patch.devTokenValid !== undefined) this.book.devTokenValid = patch.devTokenValid;
    if (patch.refuseRefresh !== undefined) this.book.refuseRefresh = patch.refuseRefresh || null;
    this.save();
  }

  /** The three JD endpoints, to mount at the server's root. */
  router(): express.Router {
    const router = express.Router();
    router.get('/oauth2/to_login', (req, res) => {
      const q = query(req.query);
      if (q.app_key !== this.credentials.appKey) return res.status(400).json(oauthError('401', '无效的app_key', 'invalid app_key'));
      if (q.response_type !== 'code') return res.status(400).json(oauthError('400', 'response_type必须为code', 'response_type must be code'));
      let redirect: URL;
      try {
        redirect = new URL(q.redirect_uri ?? '');
      } catch {
        return res.status(400).json(oauthError('400', '无效的redirect_uri', 'invalid redirect_uri'));
      }
      // The merchant logs in and consents: auto-approved.
      const code = randomBytes(12).toString('base64url');
      this.codes.set(code, { issuedAt: Date.now(), redirectUri: redirect.toString() });
      redirect.searchParams.set('code', code);
      if (q.state !== undefined) redirect.searchParams.set('state', q.state);
      this.logger?.info({ redirect: redirect.origin + redirect.pathname }, 'oauth2/to_login approved');
      return res.redirect(302, redirect.toString());
    });

    router.get('/oauth2/access_token', (req, res) => {
      const q = query(req.query);
      const refused = this.checkApp(q);
      if (refused) return res.json(refused);
      if (q.grant_type !== 'authorization_code') return res.json(oauthError('400', 'grant_type必须为authorization_code', 'grant_type must be authorization_code'));
      const issued = q.code === undefined ? undefined : this.codes.get(q.code);
      if (!issued || Date.now() - issued.issuedAt > CODE_LIFETIME_MS) return res.json(oauthError('402', '无效的code', 'invalid or used code'));
      this.codes.delete(q.code!);
      this.book.issued += 1;
      this.logger?.info({}, 'oauth2/access_token issued');
      return res.json(this.issue());
    });

    router.get('/oauth2/refresh_token', (req, res) => {
      const q = query(req.query);
      const refused = this.checkApp(q);
      if (refused) return res.json(refused);
      if (q.grant_type !== 'refresh_token') return res.json(oauthError('400', 'grant_type必须为refresh_token', 'grant_type must be refresh_token'));
      if (this.book.refuseRefresh) return res.json(oauthError('403', this.book.refuseRefresh, 'refresh refused (simulated)'));
      const accessToken = q.refresh_token === undefined ? undefined : this.book.refreshTokens[q.refresh_token];
      if (accessToken === undefined) return res.json(oauthError('405', '无效的refresh_token', 'invalid refresh_token'));
      delete this.book.refreshTokens[q.refresh_token!];
      const old = this.book.tokens[accessToken];
      if (old) old.replaced = true;
      this.book.refreshed += 1;
      this.logger?.info({}, 'oauth2/refresh_token issued');
      return res.json(this.issue());
    });
    return router;
  }

  /** /_sim/oauth controls. */
  controlRouter(): express.Router {
    const router = express.Router();
    router.get('/', (_req, res) => {
      res.json(this.snapshot());
    });
    router.put('/', express.json(), (req, res) => {
      const parsed = control.safeParse(req.body);
      if (!parsed.success) return res.status(400).json({ error: parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ') });
      this.configure(parsed.data);
      return res.json(this.snapshot());
    });
    router.post('/expire', (_req, res) => {
      res.json({ expired: this.expireAll(), ...this.snapshot() });
    });
    return router;
  }

  private checkApp(q: Record<string, string | undefined>) {
    if (q.app_key !== this.credentials.appKey) return oauthError('401', '无效的app_key', 'invalid app_key');
    if (q.app_secret !== this.credentials.appSecret) return oauthError('403', '无效的app_secret', 'invalid app_secret');
    return undefined;
  }

  private issue() {
    const now = Date.now();
    const expiresIn = Math.max(1, Math.round(this.book.tokenLifetimeMs / 1000));
    const accessToken = randomBytes(16).toString('hex');
    const refreshToken = randomBytes(16).toString('hex');
    this.book.tokens[accessToken] = { expiresAt: now + expiresIn * 1000, replaced: false, refreshToken };
    this.book.refreshTokens[refreshToken] = accessToken;
    this.prune(now);
    this.save();
    return { access_token: accessToken, expires_in: expiresIn, refresh_token: refreshToken, scope: 'snsapi_base', token_type: 'bearer', time: now, code: 0 };
  }

  /** Old tokens answer 19 whether remembered or not: forget those long dead. */
  private prune(now: number): void {
    for (const [token, issued] of Object.entries(this.book.tokens)) {
      if ((issued.replaced || issued.expiresAt < now) && now - issued.expiresAt > 24 * 3600_000) delete this.book.tokens[token];
    }
    for (const [code, issued] of this.codes) if (now - issued.issuedAt > CODE_LIFETIME_MS) this.codes.delete(code);
  }

  private load(path: string): void {
    try {
      const saved = JSON.parse(readFileSync(path, 'utf8')) as Partial<OAuthBook>;
      this.book = { ...this.book, ...saved, tokenLifetimeMs: this.options.tokenLifetimeMs ?? saved.tokenLifetimeMs ?? this.book.tokenLifetimeMs };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.logger?.warn({ err }, 'simulator OAuth state file unreadable; starting without issued tokens');
    }
  }

  private save(): void {
    if (!this.options.stateFile) return;
    try {
      writeFileSync(this.options.stateFile, JSON.stringify(this.book));
    } catch (err) {
      this.logger?.warn({ err }, 'simulator OAuth state file not written');
    }
  }
}

function lifetimeFromEnv(): number {
  const raw = process.env.ECLP_SIM_TOKEN_LIFETIME_MS;
  if (!raw) return DEFAULT_TOKEN_LIFETIME_MS;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1000) throw new Error(`ECLP_SIM_TOKEN_LIFETIME_MS must be a whole number of milliseconds ≥ 1000, got ${JSON.stringify(raw)}`);
  return value;
}

function oauthError(code: string, msg: string, enDesc: string) {
  return { code, msg, en_desc: enDesc };
}

function query(raw: unknown): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
    const first: unknown = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') out[name] = first;
  }
  return out;
}
