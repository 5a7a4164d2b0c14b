// Prints a ready-to-run, signed curl call for one JD method:
//   npx tsx simulator/sign-curl.ts jingdong.eclp.order.queryOrder '{"eclpSoNo":"ESL…"}'
// Signed with the configured credentials (JD_APP_KEY/JD_APP_SECRET/JD_ACCESS_TOKEN, else the dev ones) for
// ECLP_GATEWAY_URL (default: the local simulator). System parameters travel in the query string and
// 360buy_param_json in the form body, as JD's Java SDK sends them. The timestamp is valid for 6 minutes.
import { DEV_CREDENTIALS, eclpConfigFromEnv } from '../eclp/config';
import { signedParams } from './jd-call';

const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

export function signedCurl(method: string, businessJson: string, env: Record<string, string | undefined> = process.env): string {
  const parsed: unknown = JSON.parse(businessJson);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the business parameters must be a JSON object');
  const config = eclpConfigFromEnv(env);
  const { '360buy_param_json': paramJson = '{}', ...system } = signedParams(method, parsed as Record<string, unknown>, { credentials: config });
  const query = new URLSearchParams(system).toString();
  const url = `${config.gatewayUrl}?${query}`;
  // A real token is not printed: the command reads it from the shell's environment instead.
  const urlArgument =
    config.accessToken === DEV_CREDENTIALS.accessToken
      ? shellQuote(url)
      : `"${url.replace(new URLSearchParams({ access_token: config.accessToken }).toString(), 'access_token=${JD_ACCESS_TOKEN}')}"`;
  return `curl -sS -X POST ${urlArgument} --data-urlencode ${shellQuote(`360buy_param_json=${paramJson}`)}`;
}

if (require.main === module) {
  const [method, json = '{}'] = process.argv.slice(2);
  if (!method) {
    console.error("usage: npx tsx simulator/sign-curl.ts <method> '<json>'");
    process.exit(2);
  }
  try {
    console.log(signedCurl(method, json));
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  }
}
