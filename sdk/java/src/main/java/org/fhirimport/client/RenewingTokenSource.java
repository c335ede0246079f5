package org.fhirimport.client;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/** See {@link TokenSource#renewing}. */
final class RenewingTokenSource implements TokenSource {
  private final TokenFetcher fetch;
  private final Duration refreshBefore;
  private final Clock clock = Clock.systemUTC();
  private Tokens current;
  private CompletableFuture<Tokens> pending;

  RenewingTokenSource(TokenFetcher fetch, Duration refreshBefore) {
    this.fetch = Objects.requireNonNull(fetch, "fetch");
    this.refreshBefore = Objects.requireNonNull(refreshBefore, "refreshBefore");
  }

  @Override
  public String token() throws Exception {
    CompletableFuture<Tokens> shared;
    boolean mine = false;
    synchronized (this) {
      if (current != null && clock.instant().isBefore(current.expiresAt().minus(refreshBefore))) {
        return current.accessToken();
      }
      if (pending == null) {
        pending = new CompletableFuture<>();
        mine = true;
      }
      shared = pending;
    }
    if (mine) {
      try {
        Tokens tokens = fetch.fetch();
        synchronized (this) {
          current = tokens;
          pending = null;
        }
        shared.complete(tokens);
      } catch (Exception | Error e) {
        synchronized (this) {
          pending = null;
        }
        shared.completeExceptionally(e);
      }
    }
    try {
      return shared.get().accessToken();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception exception) {
        throw exception;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw e;
    }
  }
}
