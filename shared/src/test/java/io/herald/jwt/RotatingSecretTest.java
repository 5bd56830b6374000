package io.herald.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.herald.core.auth.InvalidTokenException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A secret rotated in its store while environments keep the value they read at init (SnapStart
 * restores them all from one snapshot): tokens signed with the new secret must pass, the old one's
 * until the next change, and forged tokens must not turn into a read of the store each.
 */
class RotatingSecretTest {
    static final String A = "secret-A-0123456789abcdef0123456789abcdef";
    static final String B = "secret-B-0123456789abcdef0123456789abcdef";
    static final String C = "secret-C-0123456789abcdef0123456789abcdef";
    static final Instant NOW = JwtVerifierTest.NOW;

    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        Instant now = NOW;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    final MovableClock clock = new MovableClock();
    final AtomicReference<String> store = new AtomicReference<>(A);
    final AtomicInteger reads = new AtomicInteger();

    RotatingSecret verifier() {
        reads.incrementAndGet(); // the read at init, done by the caller
        return new RotatingSecret(store.get(), () -> {
            reads.incrementAndGet();
            String s = store.get();
            if (s == null) throw new IllegalStateException("store unreachable");
            return s;
        }, s -> JwtVerifier.hs256(s, null, null, clock), clock, Duration.ofMinutes(1));
    }

    static String token(String secret) {
        return JwtVerifierTest.hsToken(secret, "u1", NOW.plusSeconds(3600));
    }

    @Test
    void a_token_signed_with_the_rotated_secret_should_pass_and_the_old_secrets_until_the_next_change() {
        RotatingSecret v = verifier();
        assertEquals("u1", v.verify(token(A)).userId());
        assertEquals(1, reads.get(), "read once at init");

        store.set(B); // rotated in Secrets Manager
        assertEquals("u1", v.verify(token(B)).userId(), "read again on the bad signature, verified with the new secret");
        assertEquals(2, reads.get());
        assertEquals("u1", v.verify(token(A)).userId(), "signed just before the rotation: still valid here");
        assertEquals("u1", v.verify(token(B)).userId());
        assertEquals(2, reads.get(), "nothing read while tokens verify");

        clock.now = NOW.plusSeconds(200);
        store.set(C);
        assertEquals("u1", v.verify(token(C)).userId());
        assertEquals("u1", v.verify(token(B)).userId(), "B is now the previous secret");
        clock.now = NOW.plusSeconds(400); // past the read interval: a read again finds C unchanged
        InvalidTokenException gone = assertThrows(InvalidTokenException.class, () -> v.verify(token(A)));
        assertEquals(JwtVerifier.BAD_SIGNATURE, gone.getMessage(), "two changes back: refused");
    }

    @Test
    void forged_tokens_should_cost_at_most_one_read_a_minute_and_an_unreachable_store_should_change_nothing() {
        RotatingSecret v = verifier();
        String forged = token("forged-0123456789abcdef0123456789abcdef");
        for (int i = 0; i < 100; i++) {
            InvalidTokenException e = assertThrows(InvalidTokenException.class, () -> v.verify(forged));
            assertEquals(JwtVerifier.BAD_SIGNATURE, e.getMessage());
        }
        assertEquals(2, reads.get(), "the init's read, and one for the hundred");
        clock.now = NOW.plusSeconds(61);
        for (int i = 0; i < 100; i++) assertThrows(InvalidTokenException.class, () -> v.verify(forged));
        assertEquals(3, reads.get(), "a minute later, one more for the next hundred");

        clock.now = NOW.plusSeconds(200);
        store.set(null); // the store fails
        assertThrows(InvalidTokenException.class, () -> v.verify(forged));
        assertEquals("u1", v.verify(token(A)).userId(), "what worked keeps working");
        // an expired token is refused as expired, with no read
        int before = reads.get();
        InvalidTokenException expired = assertThrows(InvalidTokenException.class,
                () -> v.verify(JwtVerifierTest.hsToken(A, "u1", NOW.minusSeconds(3600))));
        assertEquals("Invalid token: expired", expired.getMessage());
        assertEquals(before, reads.get());
    }
}
