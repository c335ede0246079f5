/**
 * The authorization-code flow with PKCE, for a portal's back end acting for
 * a user, and a token source that keeps the user's tokens fresh.
 */
import { createHash, randomBytes } from "node:crypto";

import { TokenRequestError } from "./credentials.js";

export interface AuthorizationRequest {
  /** Where to send the user's browser. */
  url: string;
  /** Keep for the exchange (server side, never in the browser). */
  verifier: string;
  /** Compare with the `state` the user comes back with. */
  state: string;
}

/**
 * The authorization URL for a user to sign in and allow the portal, with a
 * fresh PKCE verifier (S256) and state.
 */
export function authorizationRequest(options: {
  /** The service's base URL, e.g. `https://fhir-import.example.org`. */
  server: string;
  clientId: string;
  redirectUri: string;
  scope: string;
}): AuthorizationRequest {
  const verifier = randomBytes(48).toString("base64url");
  const state = randomBytes(16).toString("base64url");
  const url = new URL("/oauth/authorize", options.server);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: options.clientId,
    redirect_uri: options.redirectUri,
    scope: options.scope,
    state,
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
  }).toString();
  return { url: url.toString(), verifier, state };
}

/** What the token endpoint gives for a user. */
export interface UserTokens {
  accessToken: string;
  refreshToken: string;
  /** When the access token expires (ms since the epoch). */
  expiresAt: number;
  scope: string;
}

export interface PortalCredentials {
  /** The service's base URL. */
  server: string;
  clientId: string;
  clientSecret: string;
}

async function tokenRequest(portal: PortalCredentials, form: Record<string, string>): Promise<UserTokens> {
  const basic = Buffer.from(
    `${encodeURIComponent(portal.clientId)}:${encodeURIComponent(portal.clientSecret)}`,
  ).toString("base64");
  const response = await fetch(new URL("/oauth/token", portal.server), {
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

/** Redeems the code the user came back with, with the request's verifier. */
export function exchangeCode(
  portal: PortalCredentials,
  code: string,
  request: { verifier: string; redirectUri: string },
): Promise<UserTokens> {
  return tokenRequest(portal, {
    grant_type: "authorization_code",
    code,
    code_verifier: request.verifier,
    redirect_uri: request.redirectUri,
  });
}

/**
 * A token source acting for a user: access tokens from the refresh token,
 * fetched again `refreshBeforeMs` (60 s) before they expire. Refresh tokens
 * rotate on every use (a replayed one revokes the whole family), so each
 * new one is handed to `store` before it is used; persist it there.
 */
export function refreshTokenSource(
  portal: PortalCredentials,
  refreshToken: string,
  store: (tokens: UserTokens) => void | Promise<void>,
  options: { refreshBeforeMs?: number } = {},
): () => Promise<string> {
  const refreshBefore = options.refreshBeforeMs ?? 60_000;
  let current: UserTokens | undefined;
  let latestRefresh = refreshToken;
  let pending: Promise<string> | undefined;
  const refresh = async () => {
    const tokens = await tokenRequest(portal, {
      grant_type: "refresh_token",
      refresh_token: latestRefresh,
    });
    await store(tokens);
    latestRefresh = tokens.refreshToken || latestRefresh;
    current = tokens;
    return tokens.accessToken;
  };
  return async () => {
    if (current && Date.now() < current.expiresAt - refreshBefore) {
      return current.accessToken;
    }
    pending ??= refresh().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}
