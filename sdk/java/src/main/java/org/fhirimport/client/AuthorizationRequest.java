package org.fhirimport.client;

import java.net.URI;

/**
 * Where to send a user's browser to sign in and allow the portal, with what
 * the portal's back end keeps for the exchange (see
 * {@link PortalCredentials#authorizationRequest}).
 *
 * @param url where to send the user's browser
 * @param verifier the PKCE verifier: keep it on the server side, never in the browser
 * @param state compare it with the {@code state} the user comes back with
 * @param redirectUri where the code is sent; the exchange names it again
 */
public record AuthorizationRequest(URI url, String verifier, String state, String redirectUri) {
  @Override
  public String toString() {
    return "AuthorizationRequest[url=" + url + "]";
  }
}
