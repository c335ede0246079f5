package org.fhirimport.client;

/**
 * Keeps a user's tokens: told every rotated refresh token before it is used
 * (see {@link PortalCredentials#refreshTokenSource}). Persist it: a replayed
 * refresh token revokes the whole family.
 */
@FunctionalInterface
public interface TokenStore {
  /** Called with each new set of tokens; a failure fails the token request. */
  void save(Tokens tokens) throws Exception;
}
