package org.fhirimport.client;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A portal (an OAuth 2.0 client of the service) and the token flows it uses:
 * its own token from its client credentials, and acting for a user with the
 * authorization code flow (PKCE, S256) and rotating refresh tokens. Tokens
 * come from {@code <server>/oauth/token}, the client authenticated with HTTP
 * Basic.
 *
 * @param server the service's base URL, e.g. {@code http://127.0.0.1:50051}
 * @param clientId the portal's client id
 * @param clientSecret the portal's client secret
 */
public record PortalCredentials(URI server, String clientId, String clientSecret) {
  /** A new token this long before the current one expires, unless told otherwise. */
  public static final Duration DEFAULT_REFRESH_BEFORE = Duration.ofSeconds(60);

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(30))
          .build();
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Checks that every part is given. */
  public PortalCredentials {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(clientSecret, "clientSecret");
  }

  /** The same, with the server as a string. */
  public PortalCredentials(String server, String clientId, String clientSecret) {
    this(URI.create(server), clientId, clientSecret);
  }

  /** The token endpoint, {@code <server>/oauth/token}. */
  public URI tokenUrl() {
    return server.resolve("/oauth/token");
  }

  /**
   * The portal's own token (client credentials grant, all the client's
   * scopes), fetched when first needed and again a minute before it expires.
   */
  public TokenSource clientCredentials() {
    return clientCredentials("", DEFAULT_REFRESH_BEFORE);
  }

  /**
   * The portal's own token for {@code scope} (space-separated; empty: all the
   * client's), fetched again {@code refreshBefore} before it expires.
   * Concurrent calls share one fetch; a failed fetch fails the calls with
   * {@link UnauthenticatedException} caused by a {@link TokenRequestException}.
   */
  public TokenSource clientCredentials(String scope, Duration refreshBefore) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "client_credentials");
    if (scope != null && !scope.isEmpty()) {
      form.put("scope", scope);
    }
    return TokenSource.renewing(() -> requestTokens(form), refreshBefore);
  }

  /**
   * The URL for a user to sign in and allow the portal
   * ({@code <server>/oauth/authorize}), with a fresh PKCE verifier (S256) and
   * state.
   */
  public AuthorizationRequest authorizationRequest(String redirectUri, String scope) {
    String verifier = randomToken(48);
    String state = randomToken(16);
    String challenge;
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
    Map<String, String> query = new LinkedHashMap<>();
    query.put("response_type", "code");
    query.put("client_id", clientId);
    query.put("redirect_uri", redirectUri);
    query.put("scope", scope);
    query.put("state", state);
    query.put("code_challenge", challenge);
    query.put("code_challenge_method", "S256");
    URI url = server.resolve("/oauth/authorize?" + formEncode(query));
    return new AuthorizationRequest(url, verifier, state, redirectUri);
  }

  /** Redeems the code the user came back with, with the request's verifier and redirect URI. */
  public Tokens exchangeCode(String code, AuthorizationRequest request)
      throws IOException, InterruptedException {
    return exchangeCode(code, request.verifier(), request.redirectUri());
  }

  /** Redeems {@code code} with the PKCE {@code verifier} and the {@code redirectUri} it was sent to. */
  public Tokens exchangeCode(String code, String verifier, String redirectUri)
      throws IOException, InterruptedException {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "authorization_code");
    form.put("code", code);
    form.put("code_verifier", verifier);
    form.put("redirect_uri", redirectUri);
    return requestTokens(form);
  }

  /** {@link #refreshTokenSource(String, TokenStore, Duration)} refreshing a minute before expiry. */
  public TokenSource refreshTokenSource(String refreshToken, TokenStore store) {
    return refreshTokenSource(refreshToken, store, DEFAULT_REFRESH_BEFORE);
  }

  /**
   * A token source acting for a user: access tokens from the refresh token,
   * fetched again {@code refreshBefore} before they expire. Refresh tokens
   * rotate on every use (a replayed one revokes the whole family), so each
   * new set of tokens is handed to {@code store} before the new refresh token
   * is used.
   */
  public TokenSource refreshTokenSource(String refreshToken, TokenStore store, Duration refreshBefore) {
    Objects.requireNonNull(store, "store");
    AtomicReference<String> latest =
        new AtomicReference<>(Objects.requireNonNull(refreshToken, "refreshToken"));
    return TokenSource.renewing(
        () -> {
          Map<String, String> form = new LinkedHashMap<>();
          form.put("grant_type", "refresh_token");
          form.put("refresh_token", latest.get());
          Tokens tokens = requestTokens(form);
          store.save(tokens);
          if (!tokens.refreshToken().isEmpty()) {
            latest.set(tokens.refreshToken());
          }
          return tokens;
        },
        refreshBefore);
  }

  /**
   * Posts a grant ({@code form}, e.g. {@code grant_type=client_credentials})
   * to the token endpoint, the client's secret sent with HTTP Basic.
   *
   * @throws TokenRequestException when the endpoint refuses (its OAuth error)
   */
  public Tokens requestTokens(Map<String, String> form) throws IOException, InterruptedException {
    // RFC 6749 2.3.1: each part form-encoded, then Basic.
    String basic =
        Base64.getEncoder()
            .encodeToString(
                (encode(clientId) + ":" + encode(clientSecret)).getBytes(StandardCharsets.UTF_8));
    HttpRequest request =
        HttpRequest.newBuilder(tokenUrl())
            .timeout(Duration.ofSeconds(30))
            .header("authorization", "Basic " + basic)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(formEncode(form)))
            .build();
    Instant asked = Instant.now();
    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    JsonObject answer = new JsonObject();
    try {
      JsonElement parsed = JsonParser.parseString(response.body());
      if (parsed.isJsonObject()) {
        answer = parsed.getAsJsonObject();
      }
    } catch (JsonParseException e) {
      // Not JSON: reported below as invalid_response.
    }
    String accessToken = string(answer, "access_token");
    if (response.statusCode() / 100 != 2 || accessToken.isEmpty()) {
      String error = string(answer, "error");
      String description = string(answer, "error_description");
      throw new TokenRequestException(
          response.statusCode(),
          error.isEmpty() ? "invalid_response" : error,
          description.isEmpty() ? "the token endpoint sent no access_token" : description);
    }
    long expiresIn = answer.has("expires_in") ? answer.get("expires_in").getAsLong() : 0;
    return new Tokens(
        accessToken,
        string(answer, "refresh_token"),
        asked.plusSeconds(expiresIn),
        string(answer, "scope"));
  }

  @Override
  public String toString() {
    return "PortalCredentials[server=" + server + ", clientId=" + clientId + "]";
  }

  private static String string(JsonObject object, String key) {
    JsonElement value = object.get(key);
    return value == null || value.isJsonNull() ? "" : value.getAsString();
  }

  private static String randomToken(int bytes) {
    byte[] random = new byte[bytes];
    RANDOM.nextBytes(random);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  static String formEncode(Map<String, String> form) {
    StringJoiner joined = new StringJoiner("&");
    form.forEach((key, value) -> joined.add(encode(key) + "=" + encode(value)));
    return joined.toString();
  }
}
