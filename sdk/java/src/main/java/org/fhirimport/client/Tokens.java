package org.fhirimport.client;

import java.time.Instant;

/**
 * What the token endpoint answers.
 *
 * @param accessToken the bearer token
 * @param refreshToken empty when the grant gives none (client credentials)
 * @param expiresAt when the access token expires
 * @param scope the scopes granted, space-separated
 */
public record Tokens(String accessToken, String refreshToken, Instant expiresAt, String scope) {
  @Override
  public String toString() {
    // Never print secrets by accident.
    return "Tokens[expiresAt=" + expiresAt + ", scope=" + scope + "]";
  }
}
