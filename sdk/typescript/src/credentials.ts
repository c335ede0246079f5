/**
 * Token sources: where the bearer token of each call comes from, and the
 * one way this SDK asks the token endpoint for tokens.
 */

/** A bearer token, or a function returning the current one (called per call). */
export type TokenSource = string | (() => string | Promise<string>);

/** The OAuth 2.0 error the token endpoint answered with. */
export class TokenRequestError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(`token request failed (${status} ${error}): ${description}`);
    this.name = "TokenRequestError";
  }
}

/** What the token endpoint answers. */
export interface Tokens {
  accessToken: string;
  /** Empty when the grant gives none (client credentials). */
  refreshToken: string;
  /** When the access token expires (ms since the epoch). */
  expiresAt: number;
  scope: string;
}

/** Posts a grant to the token endpoint, the client's secret sent with HTTP Basic. */
export async function requestTokens(
  tokenUrl: string | URL,
  client: { clientId: string; clientSecret: string },
  form: Record<string, string>,
): Promise<Tokens> {
  // RFC 6749 2.3.1: each part form-encoded, then Basic; ASCII, so btoa is safe.
  const basic = btoa(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`);
  const response = await fetch(tokenUrl, {
    method: "POST",
    headers: {
      authorization: `Basic ${basic}`,
      "content-type": "application/x-www-form-urlencoded",
      accept: "application/json",
    },
    body: new URLSearchParams(form),
  });
  const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok || typeof answer.access_token !== "string") {
    throw new TokenRequestError(
      response.status,
      String(answer.error ?? "invalid_response"),
      String(answer.error_description ?? "the token endpoint sent no access_token"),
    );
  }
  return {
    accessToken: answer.access_token,
    refreshToken: String(answer.refresh_token ?? ""),
    expiresAt: Date.now() + Number(answer.expires_in ?? 0) * 1000,
    scope: String(answer.scope ?? ""),
  };
}

/**
 * A token source over `fetchTokens`: the access token it got last until
 * `refreshBeforeMs` before its expiry, then a new one; calls made while a
 * fetch is under way share it.
 */
export function renewingToken(
  fetchTokens: () => Promise<Tokens>,
  refreshBeforeMs = 60_000,
): () => Promise<string> {
  let current: Tokens | undefined;
  let pending: Promise<string> | undefined;
  return async () => {
    if (current && Date.now() < current.expiresAt - refreshBeforeMs) {
      return current.accessToken;
    }
    pending ??= fetchTokens()
      .then((tokens) => {
        current = tokens;
        return tokens.accessToken;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
}

export interface ClientCredentialsOptions {
  /** The service's token endpoint, e.g. `http://127.0.0.1:50051/oauth/token`. */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Scopes to ask for (space-separated); all the client's by default. */
  scope?: string;
  /** Fetch a new token this long before the current one expires (ms). */
  refreshBeforeMs?: number;
}

/**
 * The portal's own token (OAuth 2.0 client credentials), fetched when first
 * needed and again before it expires.
 */
export function clientCredentials(options: ClientCredentialsOptions): () => Promise<string> {
  const form: Record<string, string> = { grant_type: "client_credentials" };
  if (options.scope) form.scope = options.scope;
  return renewingToken(() => requestTokens(options.tokenUrl, options, form), options.refreshBeforeMs);
}
