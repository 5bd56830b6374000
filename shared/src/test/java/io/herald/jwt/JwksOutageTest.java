package io.herald.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import io.herald.core.auth.InvalidTokenException;
import io.herald.core.auth.IssuerUnavailableException;
import io.herald.core.policy.AccessPolicy;
import io.herald.core.profile.Profiles;
import io.herald.core.service.ConnectRequest;
import io.herald.core.service.ConnectResult;
import io.herald.core.service.ConnectService;
import io.herald.core.service.ConnectionRegistry;
import io.herald.core.service.HeraldConfig;
import io.herald.testing.InMemoryStores;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Issue 11, item 20: a JWKS outage is the issuer's problem (503), not a bad token, and does not stall. */
class JwksOutageTest {
    static final KeyPair RSA = rsa();
    final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    final Clock clock = new Clock() {
        public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
        public Clock withZone(java.time.ZoneId z) { return this; }
        public Instant instant() { return now.get(); }
    };
    final AtomicInteger fetches = new AtomicInteger();
    volatile boolean down;

    static KeyPair rsa() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String jwks(String kid) {
        RSAPublicKey k = (RSAPublicKey) RSA.getPublic();
        return "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"" + kid + "\",\"n\":\"" + uint(k.getModulus().toByteArray()) + "\",\"e\":\""
                + uint(k.getPublicExponent().toByteArray()) + "\"}]}";
    }

    static String uint(byte[] b) {
        int skip = b.length > 1 && b[0] == 0 ? 1 : 0;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOfRange(b, skip, b.length));
    }

    String token(String kid) {
        return JWT.create().withKeyId(kid).withSubject("u").withExpiresAt(now.get().plus(Duration.ofDays(1)))
                .sign(Algorithm.RSA256((RSAPublicKey) RSA.getPublic(), (RSAPrivateKey) RSA.getPrivate()));
    }

    JwtVerifier verifier(Supplier<String> fetch) {
        return JwtVerifier.jwks(new JwksKeys(() -> {
            fetches.incrementAndGet();
            if (down) throw new IllegalStateException("JWKS https://issuer.example/jwks unreachable: connect timed out");
            return fetch.get();
        }, clock), null, null, clock);
    }

    @Test
    void an_unreachable_issuer_should_be_503_at_the_handshake_not_401() {
        down = true;
        JwtVerifier v = verifier(() -> jwks("k1"));
        assertThrows(IssuerUnavailableException.class, () -> v.verify(token("k1")));
        InMemoryStores s = new InMemoryStores();
        ConnectService connect = new ConnectService(new ConnectionRegistry(s, s, s, s), v, Profiles.standard("topics"),
                AccessPolicy.defaults(), HeraldConfig.defaults(), line -> { });
        ConnectResult r = connect.connect(new ConnectRequest("c", Map.of("token", token("k1")), Map.of(), "1.2.3.4", "t"), now.get());
        assertEquals(503, r.status(), r.reason());
    }

    @Test
    void cached_keys_should_keep_verifying_through_an_outage_for_the_grace_period() {
        JwtVerifier v = verifier(() -> jwks("k1"));
        assertEquals("u", v.verify(token("k1")).userId());
        down = true;
        now.set(now.get().plus(JwksKeys.MAX_AGE).plusSeconds(1)); // stale: a refetch is due and fails
        assertEquals("u", v.verify(token("k1")).userId());
        assertThrows(IssuerUnavailableException.class, () -> v.verify(token("k2")), "an unknown kid cannot be decided now");
        now.set(now.get().plus(JwksKeys.GRACE));
        assertThrows(IssuerUnavailableException.class, () -> v.verify(token("k1")), "past the grace period");
        down = false;
        now.set(now.get().plus(JwksKeys.RETRY_AFTER_FAILURE));
        assertEquals("u", v.verify(token("k1")).userId(), "back when the issuer is");
        assertThrows(InvalidTokenException.class, () -> v.verify(token("k2")), "a truly unknown kid is a bad token again");
    }

    @Test
    void a_slow_fetch_should_stall_neither_cached_keys_nor_more_than_one_fetch() throws Exception {
        CountDownLatch fetching = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        JwtVerifier v = verifier(() -> {
            if (calls.incrementAndGet() > 1) { // the first fetch answers at once, the refetch hangs
                fetching.countDown();
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return jwks("k1");
        });
        assertEquals("u", v.verify(token("k1")).userId());
        now.set(now.get().plus(JwksKeys.MIN_REFETCH).plusSeconds(1)); // an unknown kid may refetch now
        ExecutorService pool = Executors.newFixedThreadPool(9);
        try {
            java.util.List<Future<?>> unknown = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) unknown.add(pool.submit(() -> assertThrows(InvalidTokenException.class, () -> v.verify(token("k2")))));
            assertTrue(fetching.await(10, TimeUnit.SECONDS));
            // while the issuer hangs, a token with a cached key is verified at once
            assertEquals("u", pool.submit(() -> v.verify(token("k1"))).get(5, TimeUnit.SECONDS).userId());
            release.countDown();
            for (Future<?> f : unknown) f.get(10, TimeUnit.SECONDS);
            assertEquals(2, fetches.get(), "the eight callers needing a refetch shared one");
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }
}
