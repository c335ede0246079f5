package org.fhirimport.client;

import java.time.Duration;

/**
 * Where the bearer token of each call comes from: asked once per call, on a
 * gRPC executor thread (so it may block, e.g. to fetch a token over HTTP).
 * When it throws, the call fails with {@link UnauthenticatedException} whose
 * cause is what it threw.
 */
@FunctionalInterface
public interface TokenSource {
  /** The access token to send now. */
  String token() throws Exception;

  /** A fixed token. */
  static TokenSource of(String token) {
    if (token == null || token.isEmpty()) {
      throw new IllegalArgumentException("the token is empty");
    }
    return () -> token;
  }

  /**
   * A token source over {@code fetch}: the access token it got last until
   * {@code refreshBefore} before its expiry, then a new one; callers asking
   * while a fetch is under way share it (and its failure).
   */
  static TokenSource renewing(TokenFetcher fetch, Duration refreshBefore) {
    return new RenewingTokenSource(fetch, refreshBefore);
  }

  /** Gets fresh tokens, e.g. from the token endpoint (see {@link PortalCredentials#requestTokens}). */
  @FunctionalInterface
  interface TokenFetcher {
    /** New tokens. */
    Tokens fetch() throws Exception;
  }
}
