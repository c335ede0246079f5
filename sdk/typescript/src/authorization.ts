/**
 * The authorization-code flow with PKCE, for a portal's back end acting for
 * a user, and a token source that keeps the user's tokens fresh.
 */
import { createHash, randomBytes } from "node:crypto";

import { renewingToken, requestTokens, type Tokens } from "./credentials.js";

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
export type UserTokens = Tokens;

export interface PortalCredentials {
  /** The service's base URL. */
  server: string;
  clientId: string;
  clientSecret: string;
}

function tokenRequest(portal: PortalCredentials, form: Record<string, string>): Promise<UserTokens> {
  return requestTokens(new URL("/oauth/token", portal.server), portal, form);
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
  let latestRefresh = refreshToken;
  return renewingToken(async () => {
    const tokens = await tokenRequest(portal, {
      grant_type: "refresh_token",
      refresh_token: latestRefresh,
    });
    await store(tokens);
    latestRefresh = tokens.refreshToken || latestRefresh;
    return tokens;
  }, options.refreshBeforeMs);
}
