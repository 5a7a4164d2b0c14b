// JD authorisation (issue 12 item 7): the OAuth walk from GET /v1/jd/authorize through JD's login
// (the simulator auto-approves) to the callback; the token pair stored encrypted; the refresher
// replacing the token before it expires while sales orders flow, with no JD call failing across the
// switch (the old token is refused by the simulator afterwards); a refresh JD refuses on the attention
// list and /readyz degraded. Plus unit tests of the encryption and of the gateway's retry-once on 19.
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { jdCredentialAttention } from '../db/attention/jd-credentials';
import { decryptToken, encryptToken, readJdCredentialHealth, readJdTokenPair, tokenKeyId, TokenDecryptionError } from '../db/jd-auth';
import { authorizeUrl, createEclpClient, EclpConfigurationError, exchangeCode, refreshToken, type CredentialOutcome } from '../eclp';
import { decodeTokenKey, DEV_CREDENTIALS, DEV_MERCHANT } from '../eclp/config';
import { startSimulator } from '../simulator/server';
import { startTestStack, type TestStack } from './helpers/stack';
import { auth, CONSIGNEE, eventually, seedSalesOrderMasterData } from './support';

const KEY = randomBytes(32);
const ATTENTION_CONTEXT = () => ({ now: new Date(), waitingThresholdMs: { SO: 3_600_000, PO: 3_600_000, RTN: 3_600_000 }, pushingThresholdMs: 3_600_000 });

/** Follows JD's login page (the simulator approves at once) to the redirect with `code` and `state`. */
async function login(url: string): Promise<URL> {
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location')!);
}

describe('token encryption (AES-256-GCM)', () => {
  it('round-trips, binds each value to its column, and refuses another key or a changed byte', () => {
    const sealed = encryptToken(KEY, 'secret-access-token', 'access_token');
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain('secret-access-token');
    expect(encryptToken(KEY, 'secret-access-token', 'access_token')).not.toBe(sealed); // random IV
    expect(decryptToken(KEY, sealed, 'access_token')).toBe('secret-access-token');
    expect(() => decryptToken(KEY, sealed, 'refresh_token')).toThrow(TokenDecryptionError);
    expect(() => decryptToken(randomBytes(32), sealed, 'access_token')).toThrow(TokenDecryptionError);
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0] = body[0]! ^ 1;
    expect(() => decryptToken(KEY, [...parts.slice(0, 3), body.toString('base64url')].join('.'), 'access_token')).toThrow(TokenDecryptionError);
    expect(tokenKeyId(KEY)).toMatch(/^[0-9a-f]{8}$/);
  });

  it('JD_TOKEN_KEY is 32 bytes as hex or base64, nothing else', () => {
    expect(decodeTokenKey(KEY.toString('hex')).equals(KEY)).toBe(true);
    expect(decodeTokenKey(KEY.toString('base64')).equals(KEY)).toBe(true);
    expect(() => decodeTokenKey('short')).toThrow(/JD_TOKEN_KEY must be 32 bytes/);
    expect(() => decodeTokenKey(randomBytes(16).toString('hex'))).toThrow(/JD_TOKEN_KEY/);
  });
});

describe('the gateway retries once on code 19 with a fresher token', () => {
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, credentials: DEV_CREDENTIALS, oauth: { tokenLifetimeMs: 60_000 } });
  });
  afterAll(() => sim.close());

  const oauth = () => ({ oauthUrl: sim.url, appKey: DEV_CREDENTIALS.appKey, appSecret: DEV_CREDENTIALS.appSecret, timeoutMs: 2_000 });
  const issue = async () => {
    const redirect = await login(authorizeUrl(oauth(), { state: 's1', redirectUri: 'http://127.0.0.1:1/cb' }));
    expect(redirect.searchParams.get('state')).toBe('s1');
    return exchangeCode(oauth(), redirect.searchParams.get('code')!);
  };
  const clientWith = (tokens: { current: string; fresher: string }, outcomes: CredentialOutcome[]) => {
    const asked: string[] = [];
    const client = createEclpClient(
      { ...DEV_CREDENTIALS, ...DEV_MERCHANT, gatewayUrl: sim.gatewayUrl, timeoutMs: 2_000 },
      {
        tokenProvider: {
          current: async () => tokens.current,
          fresher: async (rejected) => {
            asked.push(rejected);
            return tokens.fresher;
          },
        },
        credentialObserver: (outcome) => outcomes.push(outcome),
      },
    );
    return { client, asked };
  };

  it('a refreshed token replaces the old one (19), and the call goes through on the fresher token', async () => {
    const first = await issue();
    expect(sim.oauth.tokenValid(first.accessToken)).toBe(true);
    // A refresh elsewhere: the old token is refused from now on.
    const second = await refreshToken(oauth(), first.refreshToken);
    expect(sim.oauth.tokenValid(first.accessToken)).toBe(false);
    expect(second.expiresAt.getTime()).toBeGreaterThan(Date.now());

    const outcomes: CredentialOutcome[] = [];
    const { client, asked } = clientWith({ current: first.accessToken, fresher: second.accessToken }, outcomes);
    await expect(client.queryStock({ warehouseNo: '110000001', page: 1, pageSize: 10 })).resolves.toBeDefined();
    expect(asked).toEqual([first.accessToken]);
    expect(outcomes).toEqual([{ ok: true }]);
  });

  it('without a fresher token the 19 stands (once asked), and the refusal is reported without the token', async () => {
    const outcomes: CredentialOutcome[] = [];
    const { client, asked } = clientWith({ current: 'stale-token-0000', fresher: 'stale-token-0000' }, outcomes);
    const error = await client.queryStock({ warehouseNo: '110000001', page: 1, pageSize: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EclpConfigurationError);
    expect((error as EclpConfigurationError).code).toBe('19');
    expect(String((error as Error).message)).not.toContain('stale-token-0000');
    expect(asked).toEqual(['stale-token-0000']);
    expect(outcomes).toEqual([expect.objectContaining({ ok: false, code: '19' })]);
  });

  it('JD OAuth refuses a used code and a bad secret', async () => {
    const redirect = await login(authorizeUrl(oauth(), { state: 's2', redirectUri: 'http://127.0.0.1:1/cb' }));
    const code = redirect.searchParams.get('code')!;
    await expect(exchangeCode({ ...oauth(), appSecret: 'wrong-secret' }, code)).rejects.toThrow(/refused the authorisation code/);
    await exchangeCode(oauth(), code);
    await expect(exchangeCode(oauth(), code)).rejects.toThrow(/refused the authorisation code \(code 402\)/);
  });
});

describe('authorise → callback → stored encrypted → refreshed before expiry while orders flow', () => {
  let stack: TestStack;
  // Tokens live 8 s and are refreshed 5 s before they expire: a refresh every ~3 s.
  beforeAll(async () => {
    stack = await startTestStack({
      timeline: { salesOrder: { pickAfterMs: 300, shipAfterMs: 1_500 } },
      jdAuth: { tokenKey: KEY, tokenLifetimeMs: 8_000, refreshBeforeMs: 5_000, retryInitialMs: 300, retryMaxMs: 1_000 },
    });
    await seedSalesOrderMasterData(stack, { goods: [['JA-SKU', '6950000012001']], synced: ['JA-SKU'] });
  }, 90_000);
  afterAll(async () => {
    await stack?.client.workflow
      .getHandle(stack.documents.jdAuth.refresherId)
      .terminate('test over')
      .catch(() => undefined);
    await stack?.close();
  });

  const token = async () => (await request(stack.app).get('/v1/jd/token').set(auth('admin')).expect(200)).body;
  const tokenRow = () => stack.db('jd_oauth_tokens').where({ id: 'jd' }).first();

  it('authorises through JD, refuses a replayed or foreign state, stores the pair encrypted and refreshes it', async () => {
    expect((await token()).source).toBe('dev');
    await request(stack.app).get('/v1/jd/authorize').set(auth('operator')).expect(403);
    await request(stack.app).get('/v1/jd/authorize').expect(401);

    const authorize = await request(stack.app).get('/v1/jd/authorize').set(auth('admin')).expect(200);
    expect(authorize.body).toMatchObject({ state: expect.any(String), expiresAt: expect.any(String), redirectUri: expect.stringMatching(/\/v1\/jd\/oauth\/callback$/) });
    const loginUrl = new URL(authorize.body.url);
    expect(loginUrl.pathname).toBe('/oauth2/to_login');
    expect(loginUrl.searchParams.get('state')).toBe(authorize.body.state);
    const redirect = await login(authorize.body.url);
    expect(redirect.searchParams.get('state')).toBe(authorize.body.state);
    const code = redirect.searchParams.get('code')!;

    // A state we never handed out is refused before JD is asked anything.
    const foreign = await request(stack.app).get('/v1/jd/oauth/callback').query({ code, state: 'not-ours' });
    expect(foreign.status).toBe(400);
    expect(foreign.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(foreign.body.errors).toEqual([{ field: 'query.state', message: expect.stringMatching(/not one this service handed out/) }]);
    await request(stack.app).get('/v1/jd/oauth/callback').query({ state: authorize.body.state }).expect(400);

    const callback = await request(stack.app).get('/v1/jd/oauth/callback').query({ code, state: authorize.body.state });
    expect(callback.status).toBe(200);
    expect(callback.body).toMatchObject({ status: 'authorised', generation: 1, expiresAt: expect.any(String) });
    const replay = await request(stack.app).get('/v1/jd/oauth/callback').query({ code, state: authorize.body.state });
    expect(replay.status).toBe(400);
    expect(replay.body.detail).toMatch(/used already/);

    // Stored encrypted: the row holds no token value, the key decrypts it, the simulator honours it.
    const row = await tokenRow();
    const pair = (await readJdTokenPair(stack.db, KEY))!;
    const firstToken = pair.accessToken;
    expect(stack.sim.oauth.tokenValid(firstToken)).toBe(true);
    expect(JSON.stringify(row)).not.toContain(firstToken);
    expect(JSON.stringify(row)).not.toContain(pair.refreshToken);
    expect(row.access_token_enc).toMatch(/^v1\./);
    const status = await token();
    expect(status).toMatchObject({ source: 'oauth', expiresAt: expect.any(String), generation: 1, lastRefreshError: null });
    expect(JSON.stringify(status)).not.toContain(firstToken);
    const stateRow = await stack.db('jd_oauth_states').where({ state: authorize.body.state }).first();
    expect(stateRow.code).toBeNull(); // JD's code is dropped once exchanged

    // Sales orders flow while the token is replaced every ~3 s.
    const orders = Array.from({ length: 6 }, (_, i) => `JA-SO-${i + 1}`);
    for (const [i, orderNo] of orders.entries()) {
      await request(stack.app)
        .post('/v1/sales-orders')
        .set(auth('erp'))
        .send({ orderNo, warehouseCode: 'BJ', carrierCode: 'JDEX', consignee: CONSIGNEE, lines: [{ sku: 'JA-SKU', quantity: 1, price: 10 }] })
        .expect(201);
      await request(stack.app).post(`/v1/sales-orders/${orderNo}/approve`).set(auth('erp')).expect(202);
      if (i % 2 === 1) await new Promise((resolve) => setTimeout(resolve, 1_500));
    }
    const refreshed = await eventually(token, (t) => t.generation >= 4, { what: 'three refreshes', timeoutMs: 30_000, pollMs: 250 });
    expect(refreshed.refreshedAt).not.toBeNull();
    expect(stack.sim.oauth.tokenValid(firstToken)).toBe(false); // the old token answers 19 now
    expect(stack.sim.oauth.snapshot().refreshed).toBeGreaterThanOrEqual(3);

    const statuses = await eventually(
      async () => Promise.all(orders.map(async (o) => (await request(stack.app).get(`/v1/sales-orders/${o}`).set(auth('erp'))).body.status as string)),
      (s) => s.every((x) => x === 'SHIPPED' || x === 'FAILED'),
      { what: 'orders settled', timeoutMs: 40_000, pollMs: 300 },
    );
    expect(statuses).toEqual(orders.map(() => 'SHIPPED'));
    // No JD call failed across the switches: every call's final answer is reported to the health recorder,
    // and JD never refused our credentials once (a call that met 19 went through on the fresher token).
    expect(await readJdCredentialHealth(stack.db)).toMatchObject({ refused: false, refusedAt: null });
    expect(await jdCredentialAttention(stack.db, ATTENTION_CONTEXT())).toEqual([]);
    const ready = await request(stack.app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ready');
    expect(ready.body.checks.jd).toMatchObject({ ok: true, detail: expect.stringMatching(/^OAuth token expires /) });
  }, 120_000);

  it('a refresh JD refuses is retried with backoff, listed for attention and degrades /readyz (200)', async () => {
    await fetch(`${stack.sim.url}/_sim/oauth`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refuseRefresh: '刷新令牌已失效' }) });
    const failing = await eventually(token, (t) => t.lastRefreshError !== null && t.lastRefreshError.failures >= 2, { what: 'failed refreshes recorded', timeoutMs: 20_000, pollMs: 250 });
    expect(failing.lastRefreshError.message).toMatch(/刷新令牌已失效/);

    const items = await jdCredentialAttention(stack.db, ATTENTION_CONTEXT());
    expect(items).toContainEqual(
      expect.objectContaining({ kind: 'jd_token_refresh_failed', subject: 'JD_AUTH', documentNo: 'jd', why: expect.stringMatching(/刷新令牌已失效/), nextAction: expect.stringMatching(/GET \/v1\/jd\/authorize/) }),
    );
    const ready = await request(stack.app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('degraded');
    expect(ready.body.checks.jd.ok).toBe(false);
    expect(ready.body.checks.jd.detail).toMatch(/refreshes are failing since .*刷新令牌已失效.*OAuth token expires/);

    // The token runs out: JD refuses it (19), which is recorded with JD's words, and the token is listed as expiring.
    await eventually(async () => Date.parse((await token()).expiresAt) < Date.now(), { what: 'token expiry', timeoutMs: 15_000, pollMs: 250 });
    await request(stack.app)
      .post('/v1/sales-orders')
      .set(auth('erp'))
      .send({ orderNo: 'JA-SO-LATE', warehouseCode: 'BJ', carrierCode: 'JDEX', consignee: CONSIGNEE, lines: [{ sku: 'JA-SKU', quantity: 1, price: 10 }] })
      .expect(201);
    await request(stack.app).post('/v1/sales-orders/JA-SO-LATE/approve').set(auth('erp')).expect(202);
    const refused = await eventually(() => readJdCredentialHealth(stack.db), (h) => h.refused, { what: 'refusal recorded', timeoutMs: 15_000, pollMs: 250 });
    expect(refused).toMatchObject({ code: '19', zhDesc: '无效access_token' });
    const kinds = (await jdCredentialAttention(stack.db, ATTENTION_CONTEXT())).map((i) => i.kind).sort();
    expect(kinds).toEqual(['jd_credentials_refused', 'jd_token_expiring', 'jd_token_refresh_failed']);
    const degraded = await request(stack.app).get('/readyz');
    expect(degraded.status).toBe(200);
    expect(degraded.body.checks.jd.detail).toMatch(/JD refused our credentials since .*code 19 无效access_token/);

    // JD takes refreshes again: the refresher's next attempt succeeds and the waiting order carries on.
    await fetch(`${stack.sim.url}/_sim/oauth`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refuseRefresh: false }) });
    await eventually(async () => (await request(stack.app).get('/v1/sales-orders/JA-SO-LATE').set(auth('erp'))).body.status, (s) => s === 'SHIPPED', {
      what: 'the waiting order ships',
      timeoutMs: 30_000,
      pollMs: 300,
    });
    expect((await token()).lastRefreshError).toBeNull();
    expect((await readJdCredentialHealth(stack.db)).refused).toBe(false);
  }, 120_000);
});
