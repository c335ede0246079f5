// A portal's own token from its client credentials, fetched again before
// it expires.
import { test } from "node:test";
import assert from "node:assert/strict";

import { Code, ConnectError, TokenRequestError, clientCredentials, connect } from "../dist/index.js";
import { startServer } from "./support/server.mjs";

test("client credentials are exchanged for a token, and again before it expires", async () => {
  const server = await startServer();
  try {
    const tokenUrl = `${server.baseUrl}/oauth/token`;
    // Tokens live 15 minutes; asking for a new one 14 m 56 s early makes
    // the source fetch again four seconds after each fetch (room for a loaded machine).
    let fetched = 0;
    const source = clientCredentials({
      tokenUrl,
      clientId: server.portal.client_id,
      clientSecret: server.portal.client_secret,
      refreshBeforeMs: 15 * 60_000 - 4_000,
    });
    const seen = new Set();
    const client = connect({
      baseUrl: server.baseUrl,
      token: async () => {
        const token = await source();
        if (!seen.has(token)) fetched += 1;
        seen.add(token);
        return token;
      },
    });
    // The test portal holds the admin scope; its own token (no user) may
    // list schemas, not open projects.
    await client.schemas.listSchemas({});
    await client.schemas.listSchemas({});
    assert.equal(fetched, 1, "one token for calls within its life");
    await new Promise((r) => setTimeout(r, 4_200));
    await client.schemas.listSchemas({});
    assert.equal(fetched, 2, "a new token once the old one is near its end");
    await assert.rejects(
      client.projects.listProjects({}),
      (err) => err instanceof ConnectError && err.code === Code.PermissionDenied,
    );

    const wrong = clientCredentials({ tokenUrl, clientId: server.portal.client_id, clientSecret: "wrong" });
    await assert.rejects(wrong(), (err) => err instanceof TokenRequestError && err.status === 401);
    const refused = connect({ baseUrl: server.baseUrl, token: wrong });
    await assert.rejects(
      refused.schemas.listSchemas({}),
      (err) =>
        err instanceof ConnectError &&
        err.code === Code.Unauthenticated &&
        err.cause instanceof TokenRequestError,
    );
  } finally {
    await server.stop();
  }
});
