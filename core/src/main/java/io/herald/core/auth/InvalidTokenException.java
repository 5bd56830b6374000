package io.herald.core.auth;

/** A token that is missing, malformed, expired, badly signed or lacks a required claim. */
public final class InvalidTokenException extends RuntimeException {
    public InvalidTokenException(String message) {
        super(message);
    }
}
