package org.fhirimport.client;

import io.grpc.CallCredentials;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Puts {@code authorization: Bearer <token>} (from the token source, per call)
 * and {@code x-sbg-advance-access: advance} on every call of a channel.
 */
final class PlatformHeaders implements ClientInterceptor {
  /** The header the platform requires on every call. */
  static final Metadata.Key<String> ADVANCE_ACCESS =
      Metadata.Key.of("x-sbg-advance-access", Metadata.ASCII_STRING_MARSHALLER);

  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final CallCredentials bearer;

  PlatformHeaders(TokenSource tokens) {
    this.bearer = new Bearer(Objects.requireNonNull(tokens, "tokens"));
  }

  @Override
  public <Q, R> ClientCall<Q, R> interceptCall(
      MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
    return new ForwardingClientCall.SimpleForwardingClientCall<>(
        next.newCall(method, options.withCallCredentials(bearer))) {
      @Override
      public void start(Listener<R> listener, Metadata headers) {
        headers.put(ADVANCE_ACCESS, FhirImportClient.ADVANCE_ACCESS_VALUE);
        super.start(listener, headers);
      }
    };
  }

  /** The token, asked for on the call's executor; no token, no call. */
  private static final class Bearer extends CallCredentials {
    private final TokenSource tokens;

    Bearer(TokenSource tokens) {
      this.tokens = tokens;
    }

    @Override
    public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
      executor.execute(
          () -> {
            String token;
            try {
              token = tokens.token();
              if (token == null || token.isEmpty()) {
                throw new IllegalStateException("the token source gave no token");
              }
            } catch (Exception | Error e) {
              if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
              }
              // Said as the server would say it, with the reason as the cause.
              applier.fail(
                  Status.UNAUTHENTICATED
                      .withDescription("no access token: " + e.getMessage())
                      .withCause(e));
              return;
            }
            Metadata headers = new Metadata();
            headers.put(AUTHORIZATION, "Bearer " + token);
            applier.apply(headers);
          });
    }

    @Override
    public void thisUsesUnstableApi() {}
  }
}
