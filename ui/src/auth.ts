/**
 * Signing in as the service's own public OAuth client: authorization code
 * with PKCE (S256), no secret. The access token lives in memory only; the
 * refresh token in sessionStorage (it ends with the tab) and rotates on
 * every use, so every refresh goes through one shared request: two at once
 * with the same token would revoke the login.
 */

/** What `GET /ui/config.json` says. */
export interface UiConfig {
  client_id: string;
  redirect_uri: string;
  authorization_endpoint: string;
  token_endpoint: string;
  revocation_endpoint: string;
  /** Ends the browser's sign-in session on the server (same-origin POST). */
  end_session_endpoint: string;
  scope: string;
}

export type SessionState =
  | { kind: "starting" }
  | { kind: "signing-out" }
  | { kind: "signed-out"; reason?: string }
  | { kind: "unreachable"; reason: string }
  | { kind: "signed-in"; user: string; scopes: Set<string> };

const KEY = {
  refresh: "fhir-import.refresh_token",
  state: "fhir-import.oauth_state",
  verifier: "fhir-import.pkce_verifier",
  returnTo: "fhir-import.return_to",
};

/** Refresh this long before the access token expires. */
const EARLY_MS = 60_000;

export async function loadConfig(): Promise<UiConfig> {
  const response = await fetch("/ui/config.json", { cache: "no-store", headers: { accept: "application/json" } });
  if (!response.ok)
    throw new Error(`the dashboard's settings (/ui/config.json) could not be read: HTTP ${response.status}`);
  return (await response.json()) as UiConfig;
}

function base64url(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomText(byteCount: number): string {
  const bytes = new Uint8Array(byteCount);
  crypto.getRandomValues(bytes);
  return base64url(bytes);
}

async function s256(verifier: string): Promise<string> {
  if (!crypto.subtle) {
    throw new Error("signing in needs a secure page (https, or http on localhost)");
  }
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** The token endpoint said no (4xx): the refresh token is gone for good. */
class GrantRefused extends Error {}

function claim(token: string, name: string): string {
  try {
    const payload = token.split(".")[1] ?? "";
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const value = (JSON.parse(json) as Record<string, unknown>)[name];
    return typeof value === "string" ? value : "";
  } catch {
    return "";
  }
}

export class Session {
  state: SessionState = { kind: "starting" };
  private access?: { token: string; refreshAt: number };
  private inflight?: Promise<string>;
  private timer?: ReturnType<typeof setTimeout>;
  private listeners = new Set<() => void>();
  private lastForced = 0;

  constructor(readonly config: UiConfig) {}

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(state: SessionState) {
    this.state = state;
    for (const listener of this.listeners) listener();
  }

  /** Back from the authorization page, or a reload with a refresh token, or signed out. */
  async start(): Promise<void> {
    const url = new URL(location.href);
    const code = url.searchParams.get("code");
    const error = url.searchParams.get("error");
    if (code !== null || error !== null) {
      const expected = sessionStorage.getItem(KEY.state);
      const verifier = sessionStorage.getItem(KEY.verifier);
      const returnTo = sessionStorage.getItem(KEY.returnTo) ?? "";
      for (const key of [KEY.state, KEY.verifier, KEY.returnTo]) sessionStorage.removeItem(key);
      // The code is single-use and the state is done with: off the address bar and history.
      history.replaceState(null, "", url.pathname + returnTo);
      // Back where the person was before signing in: the router reads the hash again.
      dispatchEvent(new HashChangeEvent("hashchange"));
      if (error !== null) {
        const why = url.searchParams.get("error_description") || error;
        return this.set({ kind: "signed-out", reason: `Sign-in did not complete: ${why}.` });
      }
      if (!expected || !verifier || url.searchParams.get("state") !== expected) {
        return this.set({
          kind: "signed-out",
          reason: "The sign-in answer does not belong to this tab's request. Sign in again.",
        });
      }
      await this.startWith(() =>
        this.grant({
          grant_type: "authorization_code",
          code: code ?? "",
          redirect_uri: this.config.redirect_uri,
          client_id: this.config.client_id,
          code_verifier: verifier,
        }),
      );
      return;
    }
    if (sessionStorage.getItem(KEY.refresh)) {
      await this.startWith(() => this.refresh());
      return;
    }
    this.set({ kind: "signed-out" });
  }

  /** A first token; while the server cannot be reached, tries again. */
  private async startWith(first: () => Promise<string>): Promise<void> {
    try {
      await first();
    } catch (err) {
      if (this.state.kind === "signed-out") return;
      const reason = err instanceof Error ? err.message : String(err);
      this.set({ kind: "unreachable", reason });
      setTimeout(() => void this.startWith(() => this.refresh()), 3000);
    }
  }

  /** Off to the authorization page with a fresh state and PKCE verifier. */
  async signIn(): Promise<void> {
    const verifier = randomText(48); // 64 characters
    const state = randomText(16);
    const challenge = await s256(verifier);
    sessionStorage.setItem(KEY.verifier, verifier);
    sessionStorage.setItem(KEY.state, state);
    sessionStorage.setItem(KEY.returnTo, location.hash);
    const target = new URL(this.config.authorization_endpoint);
    target.search = new URLSearchParams({
      response_type: "code",
      client_id: this.config.client_id,
      redirect_uri: this.config.redirect_uri,
      scope: this.config.scope,
      state,
      code_challenge: challenge,
      code_challenge_method: "S256",
    }).toString();
    location.assign(target.href);
  }

  /** The current access token, refreshed first when it is near its end. */
  token(): Promise<string> {
    if (this.access && Date.now() < this.access.refreshAt) {
      return Promise.resolve(this.access.token);
    }
    return this.refresh();
  }

  /**
   * A call was refused as unauthenticated: the token may have been revoked.
   * One fresh token (at most every 30 s); a refused refresh signs out.
   */
  unauthenticated(): void {
    if (this.state.kind !== "signed-in" || Date.now() - this.lastForced < 30_000) return;
    this.lastForced = Date.now();
    this.access = undefined;
    void this.refresh().catch(() => undefined);
  }

  /** One refresh at a time, shared by every caller. */
  refresh(): Promise<string> {
    this.inflight ??= (async () => {
      const refreshToken = sessionStorage.getItem(KEY.refresh);
      if (!refreshToken) {
        this.signedOut("Your session has ended. Sign in again.");
        throw new Error("signed out");
      }
      return this.grant({
        grant_type: "refresh_token",
        refresh_token: refreshToken,
        client_id: this.config.client_id,
      });
    })().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async grant(form: Record<string, string>): Promise<string> {
    let response: Response;
    try {
      response = await fetch(this.config.token_endpoint, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: new URLSearchParams(form),
      });
    } catch {
      throw new Error("the server cannot be reached");
    }
    const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (response.status >= 400 && response.status < 500 && response.status !== 429) {
      const why = String(answer.error_description ?? answer.error ?? `HTTP ${response.status}`);
      this.signedOut(
        answer.error === "invalid_grant" ? "Your session has ended. Sign in again." : `Signing in failed: ${why}.`,
      );
      throw new GrantRefused(why);
    }
    if (!response.ok || typeof answer.access_token !== "string") {
      throw new Error(`the token endpoint answered HTTP ${response.status}`);
    }
    // Rotated: the old refresh token is spent, keep the new one at once.
    if (typeof answer.refresh_token === "string") sessionStorage.setItem(KEY.refresh, answer.refresh_token);
    const token = answer.access_token;
    const lifetime = Number(answer.expires_in ?? 300) * 1000;
    // A minute early; half-way for tokens that live less than two minutes.
    const refreshAt = Date.now() + Math.max(lifetime - EARLY_MS, lifetime / 2);
    this.access = { token, refreshAt };
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh().catch(() => undefined), Math.max(5_000, refreshAt - Date.now()));
    const scopes = new Set(
      String(answer.scope ?? "")
        .split(" ")
        .filter(Boolean),
    );
    this.set({ kind: "signed-in", user: claim(token, "sub"), scopes });
    return token;
  }

  private signedOut(reason?: string) {
    this.forget();
    // The first reason stands (a poll failing after "You signed out" says
    // nothing new), and signing out says its own when the server is done.
    if (this.state.kind !== "signed-out" && this.state.kind !== "signing-out") this.set({ kind: "signed-out", reason });
  }

  private forget() {
    clearTimeout(this.timer);
    this.access = undefined;
    sessionStorage.removeItem(KEY.refresh);
  }

  /**
   * Revokes the refresh token (and with it the login), ends the server's
   * sign-in session, and only then says "signed out": a person who sees the
   * Sign in button and closes or reloads the tab must not have left a live
   * session behind (a reload would cancel the requests). `keepalive` lets
   * them finish even so; a server that does not answer in 10 s is given up.
   */
  async signOut(): Promise<void> {
    await this.inflight?.catch(() => undefined);
    const refreshToken = sessionStorage.getItem(KEY.refresh);
    this.forget();
    this.set({ kind: "signing-out" });
    const settle = (request: Promise<Response>) => request.then(() => undefined, () => undefined);
    const revoked = refreshToken
      ? settle(
          fetch(this.config.revocation_endpoint, {
            method: "POST",
            keepalive: true,
            signal: AbortSignal.timeout(10_000),
            headers: { "content-type": "application/x-www-form-urlencoded" },
            body: new URLSearchParams({
              token: refreshToken,
              token_type_hint: "refresh_token",
              client_id: this.config.client_id,
            }),
          }),
        )
      : Promise.resolve();
    // Out of the sign-in pages too: the next person at this browser types a password.
    const ended = settle(
      fetch(this.config.end_session_endpoint, {
        method: "POST",
        keepalive: true,
        signal: AbortSignal.timeout(10_000),
        credentials: "same-origin",
      }),
    );
    await Promise.all([revoked, ended]);
    this.set({ kind: "signed-out", reason: "You signed out." });
  }
}
