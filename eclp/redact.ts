// Everything we put into an error or a log line may end up in Temporal histories and operator
// screens, so credentials are scrubbed from any text that came from outside our control.

const MASK = '***';

/** The gateway URL as safe to report: the query string carries access_token and sign, so it goes. */
export function reportableUrl(url: string): string {
  const cut = url.search(/[?#]/);
  return cut === -1 ? url : url.slice(0, cut);
}

/** Replaces every occurrence of the given secrets, and any URL query string, in free text. */
export function redact(text: string, secrets: ReadonlyArray<string>): string {
  let out = text.replace(/(https?:\/\/[^\s?#"'<>]*)[?#][^\s"'<>]*/g, '$1');
  for (const secret of secrets) {
    // Very short values would mask unrelated text and cannot be meaningful secrets.
    if (secret.length < 4) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join(MASK);
  }
  return out;
}
