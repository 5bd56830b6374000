package io.herald.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import io.herald.core.auth.Identity;
import io.herald.core.auth.InvalidTokenException;
import io.herald.core.auth.TokenVerifier;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class JwtVerifierTest {
    static final String SECRET = "0123456789abcdef0123456789abcdef-secret";
    static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    final JwtVerifier hs = JwtVerifier.hs256(SECRET, null, null, clock);

    static String hsToken(String secret, String sub, Instant exp) {
        var b = JWT.create().withClaim("scope", "a herald:publish");
        if (sub != null) b.withSubject(sub);
        if (exp != null) b.withExpiresAt(exp);
        return b.sign(Algorithm.HMAC256(secret));
    }

    @Test
    void verify_should_accept_a_valid_token_and_read_claims() {
        Identity id = hs.verify(hsToken(SECRET, "user-1", NOW.plusSeconds(60)));
        assertEquals("user-1", id.userId());
        assertTrue(id.canPublish());
    }

    @Test
    void verify_should_reject_expired_tokens_beyond_the_leeway() {
        assertEquals("user-1", hs.verify(hsToken(SECRET, "user-1", NOW.minusSeconds(10))).userId()); // within skew
        InvalidTokenException e = assertThrows(InvalidTokenException.class,
                () -> hs.verify(hsToken(SECRET, "user-1", NOW.minusSeconds(120))));
        assertTrue(e.getMessage().contains("expired"), e.getMessage());
    }

    @Test
    void verify_should_reject_a_wrong_key() {
        InvalidTokenException e = assertThrows(InvalidTokenException.class,
                () -> hs.verify(hsToken("another-secret-another-secret-another", "u", NOW.plusSeconds(60))));
        assertTrue(e.getMessage().contains("signature"), e.getMessage());
    }

    @Test
    void verify_should_require_sub_and_exp() {
        assertThrows(InvalidTokenException.class, () -> hs.verify(hsToken(SECRET, null, NOW.plusSeconds(60))));
        assertThrows(InvalidTokenException.class, () -> hs.verify(hsToken(SECRET, "u", null)));
    }

    @Test
    void verify_should_refuse_alg_none_and_other_algorithms() {
        String header = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        String payload = b64("{\"sub\":\"u\",\"exp\":" + NOW.plusSeconds(60).getEpochSecond() + "}");
        assertThrows(InvalidTokenException.class, () -> hs.verify(header + "." + payload + "."));
        String hs512 = JWT.create().withSubject("u").withExpiresAt(NOW.plusSeconds(60)).sign(Algorithm.HMAC512(SECRET));
        assertThrows(InvalidTokenException.class, () -> hs.verify(hs512));
        assertThrows(InvalidTokenException.class, () -> hs.verify("not-a-jwt"));
        assertThrows(InvalidTokenException.class, () -> hs.verify(""));
        assertThrows(InvalidTokenException.class, () -> hs.verify(null));
    }

    @Test
    void verify_should_check_issuer_and_audience_when_configured() {
        JwtVerifier strict = JwtVerifier.hs256(SECRET, "https://issuer", "herald", clock);
        String good = JWT.create().withSubject("u").withIssuer("https://issuer").withAudience("herald")
                .withExpiresAt(NOW.plusSeconds(60)).sign(Algorithm.HMAC256(SECRET));
        assertEquals("u", strict.verify(good).userId());
        assertThrows(InvalidTokenException.class, () -> strict.verify(hsToken(SECRET, "u", NOW.plusSeconds(60))));
    }

    @Test
    void hs256_should_refuse_short_secrets() {
        assertThrows(IllegalArgumentException.class, () -> JwtVerifier.hs256("short", null, null, clock));
    }

    @Test
    void jwks_should_verify_rs256_and_es256_and_refuse_hs256_confusion() throws Exception {
        KeyPairGenerator rg = KeyPairGenerator.getInstance("RSA");
        rg.initialize(2048);
        KeyPair rsa = rg.generateKeyPair();
        KeyPairGenerator eg = KeyPairGenerator.getInstance("EC");
        eg.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair ec = eg.generateKeyPair();
        RSAPublicKey rpub = (RSAPublicKey) rsa.getPublic();
        ECPublicKey epub = (ECPublicKey) ec.getPublic();
        String jwks = "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"r1\",\"n\":\"" + uint(rpub.getModulus().toByteArray())
                + "\",\"e\":\"" + uint(rpub.getPublicExponent().toByteArray()) + "\"},"
                + "{\"kty\":\"EC\",\"kid\":\"e1\",\"crv\":\"P-256\",\"x\":\"" + uint(epub.getW().getAffineX().toByteArray())
                + "\",\"y\":\"" + uint(epub.getW().getAffineY().toByteArray()) + "\"}]}";
        AtomicInteger fetches = new AtomicInteger();
        JwtVerifier v = JwtVerifier.jwks(new JwksKeys(() -> {
            fetches.incrementAndGet();
            return jwks;
        }, clock), null, null, clock);

        String rs = JWT.create().withKeyId("r1").withSubject("r-user").withExpiresAt(NOW.plusSeconds(60))
                .sign(Algorithm.RSA256(rpub, (RSAPrivateKey) rsa.getPrivate()));
        String es = JWT.create().withKeyId("e1").withSubject("e-user").withExpiresAt(NOW.plusSeconds(60))
                .sign(Algorithm.ECDSA256(epub, (ECPrivateKey) ec.getPrivate()));
        assertEquals("r-user", v.verify(rs).userId());
        assertEquals("e-user", v.verify(es).userId());
        // a token signed with HS256 using the public key as the secret: the classic confusion attack
        String confused = JWT.create().withKeyId("r1").withSubject("x").withExpiresAt(NOW.plusSeconds(60))
                .sign(Algorithm.HMAC256(rpub.getEncoded()));
        assertThrows(InvalidTokenException.class, () -> v.verify(confused));
        String unknownKid = JWT.create().withKeyId("nope").withSubject("x").withExpiresAt(NOW.plusSeconds(60))
                .sign(Algorithm.RSA256(rpub, (RSAPrivateKey) rsa.getPrivate()));
        assertThrows(InvalidTokenException.class, () -> v.verify(unknownKid));
        assertEquals(1, fetches.get(), "an unknown kid within a minute of the last fetch must not refetch");

        TokenVerifier both = JwtVerifier.either(hs, v);
        assertEquals("r-user", both.verify(rs).userId());
        assertEquals("h", both.verify(hsToken(SECRET, "h", NOW.plusSeconds(60))).userId());
        assertFalse(both.verify(rs).canPublish());
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String uint(byte[] twosComplement) {
        int skip = twosComplement.length > 1 && twosComplement[0] == 0 ? 1 : 0;
        byte[] b = java.util.Arrays.copyOfRange(twosComplement, skip, twosComplement.length);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
