package io.herald.core.auth;

/** Verifies a bearer token. Implementations are thread-safe and cheap per call. */
public interface TokenVerifier {
    /** @throws InvalidTokenException with a reason safe to show the client */
    Identity verify(String token);
}
