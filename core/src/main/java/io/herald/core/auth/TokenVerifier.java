package io.herald.core.auth;

/** Verifies a bearer token. Implementations are thread-safe and cheap per call. */
public interface TokenVerifier {
    /**
     * @throws InvalidTokenException      with a reason safe to show the client
     * @throws IssuerUnavailableException when the issuer's keys cannot be had just now (retryable)
     */
    Identity verify(String token);
}
