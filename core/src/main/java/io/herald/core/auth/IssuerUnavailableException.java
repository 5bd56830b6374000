package io.herald.core.auth;

/**
 * The token's issuer could not be asked for its keys (JWKS unreachable or unreadable) and no
 * cached key can decide. Not the client's fault: retryable, a 503 rather than a 401.
 */
public final class IssuerUnavailableException extends RuntimeException {
    public IssuerUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
