package io.herald.testing;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import java.time.Instant;

/** Signs test tokens with the test secret. */
public final class Tokens {
    public static final String SECRET = "test-secret-test-secret-test-secret-0123";

    private Tokens() {}

    public static String forUser(String userId) {
        return JWT.create().withSubject(userId).withClaim("email", userId + "@example.com")
                .withExpiresAt(Instant.now().plusSeconds(3600)).sign(Algorithm.HMAC256(SECRET));
    }

    public static String publisher() {
        return JWT.create().withSubject("service-orders").withClaim("scope", "openid herald:publish")
                .withExpiresAt(Instant.now().plusSeconds(3600)).sign(Algorithm.HMAC256(SECRET));
    }
}
