// A portal's back end acting for a user: the authorization URL with PKCE,
// the user signing in and allowing (done here as her browser would, form by
// form), the code redeemed, then access tokens from the rotating refresh
// token.
import { test } from "node:test";
import assert from "node:assert/strict";

import {
  TokenRequestError,
  authorizationRequest,
  connect,
  exchangeCode,
  refreshTokenSource,
} from "../dist/index.js";
import { PASSWORD, REDIRECT_URI, startServer } from "./support/server.mjs";

/** The user's browser: cookies kept, forms posted with their CSRF token. */
async function signInAndAllow(url) {
  const cookies = new Map();
  const send = async (target, form) => {
    const response = await fetch(target, {
      method: form ? "POST" : "GET",
      redirect: "manual",
      headers: {
        cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join("; "),
        ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
      body: form ? new URLSearchParams(form) : undefined,
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(";");
      const at = pair.indexOf("=");
      cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return response;
  };
  const csrf = async () => {
    const page = await (await send(url)).text();
    return page.match(/name="csrf" value="([^"]+)"/)[1];
  };
  const request = Object.fromEntries(new URL(url).searchParams);
  const action = new URL("/oauth/authorize", url).toString();
  await send(action, { ...request, username: "sdk", password: PASSWORD, csrf: await csrf(), step: "sign_in" });
  const back = await send(action, { ...request, csrf: await csrf(), step: "allow" });
  return new URL(back.headers.get("location"));
}

test("authorization code with PKCE, then a rotating refresh token", async () => {
  const server = await startServer();
  try {
    const portal = {
      server: server.baseUrl,
      clientId: server.portal.client_id,
      clientSecret: server.portal.client_secret,
    };
    const request = authorizationRequest({
      server: server.baseUrl,
      clientId: portal.clientId,
      redirectUri: REDIRECT_URI,
      scope: "projects import:read",
    });
    assert.equal(new URL(request.url).searchParams.get("code_challenge_method"), "S256");
    const back = await signInAndAllow(request.url);
    assert.equal(back.searchParams.get("state"), request.state);
    const code = back.searchParams.get("code");

    // Without the verifier the code is worth nothing.
    await assert.rejects(
      exchangeCode(portal, code, { verifier: "not-the-verifier-not-the-verifier-not-the-verifier", redirectUri: REDIRECT_URI }),
      (err) => err instanceof TokenRequestError && err.error === "invalid_grant",
    );
    const request2 = authorizationRequest({
      server: server.baseUrl,
      clientId: portal.clientId,
      redirectUri: REDIRECT_URI,
      scope: "projects import:read",
    });
    const code2 = (await signInAndAllow(request2.url)).searchParams.get("code");
    const tokens = await exchangeCode(portal, code2, { verifier: request2.verifier, redirectUri: REDIRECT_URI });
    assert.equal(tokens.scope, "projects import:read");

    const stored = [];
    const source = refreshTokenSource(portal, tokens.refreshToken, (fresh) => stored.push(fresh.refreshToken), {
      refreshBeforeMs: 15 * 60_000 - 4_000,
    });
    const client = connect({ baseUrl: server.baseUrl, token: source });
    await client.projects.createProject({ name: "ts-for-sdk" });
    await new Promise((r) => setTimeout(r, 4_200));
    const { projects } = await client.projects.listProjects({});
    assert.ok(projects.some((p) => p.name === "ts-for-sdk"));
    assert.equal(stored.length, 2, "a refresh per stale access token, each new refresh token stored");
    assert.notEqual(stored[0], tokens.refreshToken);
    assert.notEqual(stored[1], stored[0], "refresh tokens rotate");
  } finally {
    await server.stop();
  }
});
