package io.herald.jwt;

import io.herald.core.auth.Identity;
import io.herald.core.auth.InvalidTokenException;
import io.herald.core.auth.TokenVerifier;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * HS256 verification that follows a rotated secret. A function reads its secret at init, and with
 * SnapStart every environment restored from a version's snapshot starts with that value: after a
 * rotation in Secrets Manager or SSM, tokens signed with the new secret would fail until a new
 * version is published. So a token with a bad signature makes it read the secret again, at most
 * once per {@code minInterval} (a stream of forged tokens costs one read a minute, not one each),
 * and verify with the new one if it changed (the first such read may come at once). The secret it
 * replaced stays valid in this environment, with no time limit, until the next change (as
 * Secrets Manager's AWSPREVIOUS does during a rotation), so clients holding tokens signed just
 * before are not cut off; revoking a leaked secret at once takes a new version.
 */
public final class RotatingSecret implements TokenVerifier {
    private record Keys(String secret, JwtVerifier current, JwtVerifier previous) {}

    private final Supplier<String> source;
    private final Function<String, JwtVerifier> verifierFor;
    private final Clock clock;
    private final Duration minInterval;
    private volatile Keys keys;
    private Instant lastRead; // guarded by this; null until the first read again

    /**
     * @param secret      the secret as read at init
     * @param source      reads the secret from its store again (each call a read)
     * @param verifierFor an HS256 verifier for a secret
     */
    public RotatingSecret(String secret, Supplier<String> source, Function<String, JwtVerifier> verifierFor, Clock clock, Duration minInterval) {
        this.source = source;
        this.verifierFor = verifierFor;
        this.clock = clock;
        this.minInterval = minInterval;
        this.keys = new Keys(secret, verifierFor.apply(secret), null);
    }

    @Override
    public Identity verify(String token) {
        Keys k = keys;
        try {
            return k.current().verify(token);
        } catch (InvalidTokenException e) {
            if (!JwtVerifier.BAD_SIGNATURE.equals(e.getMessage())) throw e;
            if (k.previous() != null) {
                try {
                    return k.previous().verify(token);
                } catch (InvalidTokenException ignored) {
                    // not the previous secret either
                }
            }
            Keys fresh = reread(k);
            if (fresh == k) throw e;
            return fresh.current().verify(token);
        }
    }

    /** The keys after reading the secret again, or {@code seen} when it is too soon or nothing changed. */
    private synchronized Keys reread(Keys seen) {
        if (keys != seen) return keys; // another thread has just read it
        Instant now = clock.instant();
        if (lastRead != null && now.isBefore(lastRead.plus(minInterval))) return seen;
        lastRead = now;
        try {
            String secret = source.get();
            if (secret == null || Objects.equals(secret, seen.secret())) return seen;
            keys = new Keys(secret, verifierFor.apply(secret), seen.current());
            return keys;
        } catch (RuntimeException e) {
            // the store unreachable just now, or a new value refused (too short): keep what works
            return seen;
        }
    }
}
