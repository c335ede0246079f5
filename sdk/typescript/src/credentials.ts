/**
 * Token sources: where the bearer token of each call comes from.
 */

/** A bearer token, or a function returning the current one (called per call). */
export type TokenSource = string | (() => string | Promise<string>);

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

/**
 * The portal's own token (OAuth 2.0 client credentials, secret sent with
 * HTTP Basic), fetched when first needed and again before it expires; calls
 * made while a fetch is under way share it.
 */
export function clientCredentials(options: ClientCredentialsOptions): () => Promise<string> {
  const refreshBefore = options.refreshBeforeMs ?? 60_000;
  let current: { token: string; expiresAt: number } | undefined;
  let pending: Promise<string> | undefined;

  async function fetchToken(): Promise<string> {
    const body = new URLSearchParams({ grant_type: "client_credentials" });
    if (options.scope) body.set("scope", options.scope);
    const basic = Buffer.from(
      `${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`,
    ).toString("base64");
    const response = await fetch(options.tokenUrl, {
      method: "POST",
      headers: {
        authorization: `Basic ${basic}`,
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
      },
      body,
    });
    const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok || typeof answer.access_token !== "string") {
      throw new TokenRequestError(
        response.status,
        String(answer.error ?? "invalid_response"),
        String(answer.error_description ?? "the token endpoint sent no access_token"),
      );
    }
    const lifetimeMs = typeof answer.expires_in === "number" ? answer.expires_in * 1000 : 0;
    current = { token: answer.access_token, expiresAt: Date.now() + lifetimeMs };
    return answer.access_token;
  }

  return async () => {
    if (current && Date.now() < current.expiresAt - refreshBefore) {
      return current.token;
    }
    pending ??= fetchToken().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}
