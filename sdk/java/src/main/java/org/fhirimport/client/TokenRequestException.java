package org.fhirimport.client;

import java.io.IOException;

/** The OAuth 2.0 error the token endpoint answered with (RFC 6749 5.2). */
public class TokenRequestException extends IOException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String error;
  private final String description;

  /** {@code status}: the HTTP status; {@code error} and {@code description}: the OAuth error. */
  public TokenRequestException(int status, String error, String description) {
    super("token request failed (" + status + " " + error + "): " + description);
    this.status = status;
    this.error = error;
    this.description = description;
  }

  /** The HTTP status, e.g. 401 for a wrong client secret. */
  public int status() {
    return status;
  }

  /** The OAuth error code, e.g. {@code invalid_grant}; {@code invalid_response} when the answer had none. */
  public String error() {
    return error;
  }

  /** The server's {@code error_description}. */
  public String description() {
    return description;
  }
}
