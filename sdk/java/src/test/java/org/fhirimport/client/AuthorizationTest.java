package org.fhirimport.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.fhirimport.v1.Project;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A portal's back end acting for a user: the authorization URL with PKCE,
 * the user signing in and allowing (done here as her browser would, form by
 * form), the code redeemed, then access tokens from the rotating refresh
 * token.
 */
class AuthorizationTest {
  private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  /** The user's browser: cookies kept, forms posted with their CSRF token. */
  private static final class Browser {
    private final HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    private final Map<String, String> cookies = new LinkedHashMap<>();

    HttpResponse<String> send(URI target, Map<String, String> form) throws Exception {
      HttpRequest.Builder request = HttpRequest.newBuilder(target);
      if (!cookies.isEmpty()) {
        request.header(
            "cookie",
            cookies.entrySet().stream()
                .map(c -> c.getKey() + "=" + c.getValue())
                .collect(Collectors.joining("; ")));
      }
      if (form != null) {
        request
            .header("content-type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(PortalCredentials.formEncode(form)));
      }
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      for (String cookie : response.headers().allValues("set-cookie")) {
        String pair = cookie.split(";", 2)[0];
        int at = pair.indexOf('=');
        cookies.put(pair.substring(0, at), pair.substring(at + 1));
      }
      return response;
    }

    String csrf(URI page) throws Exception {
      HttpResponse<String> response = send(page, null);
      Matcher match = CSRF.matcher(response.body());
      assertTrue(match.find(), "a form with a CSRF token: " + response.body());
      return match.group(1);
    }

    /** Signs in as {@code sdk}, allows the portal, and returns where the server sent the browser. */
    Map<String, String> signInAndAllow(URI url) throws Exception {
      Map<String, String> request = query(url);
      URI action = url.resolve("/oauth/authorize");
      Map<String, String> signIn = new LinkedHashMap<>(request);
      signIn.put("username", "sdk");
      signIn.put("password", TestServer.PASSWORD);
      signIn.put("csrf", csrf(url));
      signIn.put("step", "sign_in");
      send(action, signIn);
      Map<String, String> allow = new LinkedHashMap<>(request);
      allow.put("csrf", csrf(url));
      allow.put("step", "allow");
      HttpResponse<String> back = send(action, allow);
      String location = back.headers().firstValue("location").orElseThrow(
          () -> new AssertionError("no redirect after allowing: " + back.statusCode() + " " + back.body()));
      assertTrue(location.startsWith(TestServer.REDIRECT_URI + "?"), location);
      return query(URI.create(location));
    }
  }

  private static Map<String, String> query(URI url) {
    Map<String, String> query = new LinkedHashMap<>();
    for (String pair : url.getRawQuery().split("&")) {
      String[] parts = pair.split("=", 2);
      query.put(
          URLDecoder.decode(parts[0], StandardCharsets.UTF_8),
          URLDecoder.decode(parts.length > 1 ? parts[1] : "", StandardCharsets.UTF_8));
    }
    return query;
  }

  @Test
  void authorizationCodeWithPkceThenARotatingRefreshToken() throws Exception {
    PortalCredentials portal = server.portalCredentials();
    AuthorizationRequest request =
        portal.authorizationRequest(TestServer.REDIRECT_URI, "projects import:read");
    Map<String, String> asked = query(request.url());
    assertEquals("S256", asked.get("code_challenge_method"));
    byte[] digest =
        MessageDigest.getInstance("SHA-256")
            .digest(request.verifier().getBytes(StandardCharsets.US_ASCII));
    assertEquals(
        Base64.getUrlEncoder().withoutPadding().encodeToString(digest),
        asked.get("code_challenge"),
        "the challenge is the verifier's S256");
    Map<String, String> back = new Browser().signInAndAllow(request.url());
    assertEquals(request.state(), back.get("state"));

    // Without the verifier the code is worth nothing.
    TokenRequestException refused =
        assertThrows(
            TokenRequestException.class,
            () ->
                portal.exchangeCode(
                    back.get("code"),
                    "not-the-verifier-not-the-verifier-not-the-verifier",
                    TestServer.REDIRECT_URI));
    assertEquals("invalid_grant", refused.error());

    AuthorizationRequest again =
        portal.authorizationRequest(TestServer.REDIRECT_URI, "projects import:read");
    assertNotEquals(request.verifier(), again.verifier());
    assertNotEquals(request.state(), again.state());
    String code = new Browser().signInAndAllow(again.url()).get("code");
    Tokens tokens = portal.exchangeCode(code, again);
    assertEquals("projects import:read", tokens.scope());
    assertTrue(!tokens.refreshToken().isEmpty(), "a refresh token for the user");

    List<String> stored = new ArrayList<>();
    TokenSource source =
        portal.refreshTokenSource(
            tokens.refreshToken(),
            fresh -> stored.add(fresh.refreshToken()),
            Duration.ofMinutes(15).minusSeconds(4));
    try (FhirImportClient client =
        FhirImportClient.builder().server(server.baseUrl).tokenSource(source).build()) {
      Project created = client.projects().createProject("java-for-sdk", "");
      assertEquals("sdk", created.getOwner(), "the calls act for the user");
      Thread.sleep(4_200);
      assertTrue(
          client.projects().listAllProjects().anyMatch(p -> p.getName().equals("java-for-sdk")));
    }
    assertEquals(2, stored.size(), "a refresh per stale access token, each new refresh token stored");
    assertNotEquals(tokens.refreshToken(), stored.get(0));
    assertNotEquals(stored.get(0), stored.get(1), "refresh tokens rotate");
  }
}
