package io.herald.jwt;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.AlgorithmMismatchException;
import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.auth0.jwt.interfaces.ECDSAKeyProvider;
import com.auth0.jwt.interfaces.RSAKeyProvider;
import com.auth0.jwt.interfaces.Verification;
import io.herald.core.auth.Identity;
import io.herald.core.auth.InvalidTokenException;
import io.herald.core.auth.IssuerUnavailableException;
import io.herald.core.auth.TokenVerifier;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * JWT verification with java-jwt: HS256 with a shared secret, or RS256/ES256 with keys from a
 * JWKS URL. {@code exp} and {@code sub} are required; {@code iss}/{@code aud} are checked when
 * configured; the algorithm is fixed by configuration, so {@code alg: none} or an HS256 token
 * signed with a public key never passes.
 */
public final class JwtVerifier implements TokenVerifier {
    static final long LEEWAY_SECONDS = 30;
    /** The refusal of a token whose signature does not match the key: a rotated secret looks like this. */
    public static final String BAD_SIGNATURE = "Invalid token: bad signature";
    private static final java.util.regex.Pattern EMAIL_LIKE = java.util.regex.Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");

    private final com.auth0.jwt.interfaces.JWTVerifier[] verifiers;
    private final Set<String> algorithms;

    private JwtVerifier(Verification[] vs, Clock clock, Set<String> algorithms) {
        // BaseVerification.build(Clock) is how java-jwt takes a clock; time is passed in, never read here.
        this.verifiers = Arrays.stream(vs).map(v -> ((com.auth0.jwt.JWTVerifier.BaseVerification) v).build(clock))
                .toArray(com.auth0.jwt.interfaces.JWTVerifier[]::new);
        this.algorithms = algorithms;
    }

    /** HS256 with the given secret. The secret must be at least 32 bytes (RFC 7518, 3.2). */
    public static JwtVerifier hs256(String secret, String issuer, String audience, Clock clock) {
        if (secret == null || secret.getBytes(StandardCharsets.UTF_8).length < 32) {
            throw new IllegalArgumentException("the JWT secret must be at least 32 bytes");
        }
        return new JwtVerifier(new Verification[] {configure(JWT.require(Algorithm.HMAC256(secret)), issuer, audience)},
                clock, Set.of("HS256"));
    }

    /** RS256 and ES256 tokens whose {@code kid} names a key in the JWKS. */
    public static JwtVerifier jwks(JwksKeys keys, String issuer, String audience, Clock clock) {
        RSAKeyProvider rsa = new RSAKeyProvider() {
            public RSAPublicKey getPublicKeyById(String kid) { return keys.rsa(kid); }
            public RSAPrivateKey getPrivateKey() { return null; }
            public String getPrivateKeyId() { return null; }
        };
        ECDSAKeyProvider ec = new ECDSAKeyProvider() {
            public ECPublicKey getPublicKeyById(String kid) { return keys.ec(kid); }
            public ECPrivateKey getPrivateKey() { return null; }
            public String getPrivateKeyId() { return null; }
        };
        return new JwtVerifier(new Verification[] {
                configure(JWT.require(Algorithm.RSA256(rsa)), issuer, audience),
                configure(JWT.require(Algorithm.ECDSA256(ec)), issuer, audience)}, clock, Set.of("RS256", "ES256"));
    }

    /** Dispatches on the token's {@code alg}: HS256 to one verifier, RS256/ES256 to the other. */
    public static TokenVerifier either(TokenVerifier hs, JwtVerifier asymmetric) {
        return token -> {
            String alg;
            try {
                alg = JWT.decode(token).getAlgorithm();
            } catch (JWTDecodeException | NullPointerException e) {
                throw new InvalidTokenException(token == null || token.isBlank() ? "Authentication required: no token" : "Invalid token: malformed");
            }
            return (asymmetric.algorithms.contains(alg) ? asymmetric : hs).verify(token);
        };
    }

    private static Verification configure(Verification v, String issuer, String audience) {
        v.acceptLeeway(LEEWAY_SECONDS).withClaimPresence("exp").withClaimPresence("sub");
        if (issuer != null && !issuer.isBlank()) v.withIssuer(issuer);
        if (audience != null && !audience.isBlank()) v.withAudience(audience);
        return v;
    }

    @Override
    public Identity verify(String token) {
        if (token == null || token.isBlank()) throw new InvalidTokenException("Authentication required: no token");
        DecodedJWT decoded;
        try {
            decoded = JWT.decode(token);
        } catch (JWTDecodeException e) {
            throw new InvalidTokenException("Invalid token: malformed");
        }
        if (!algorithms.contains(decoded.getAlgorithm())) {
            throw new InvalidTokenException("Invalid token: algorithm " + decoded.getAlgorithm() + " is not accepted");
        }
        JWTVerificationException last = null;
        for (com.auth0.jwt.interfaces.JWTVerifier v : verifiers) {
            try {
                return identity(v.verify(decoded));
            } catch (AlgorithmMismatchException e) {
                last = e;
            } catch (TokenExpiredException e) {
                throw new InvalidTokenException("Invalid token: expired");
            } catch (SignatureVerificationException e) {
                throw new InvalidTokenException(BAD_SIGNATURE);
            } catch (JWTVerificationException e) {
                throw new InvalidTokenException("Invalid token: " + e.getMessage());
            }
        }
        throw new InvalidTokenException("Invalid token: " + (last == null ? "rejected" : last.getMessage()));
    }

    private static Identity identity(DecodedJWT jwt) {
        String sub = jwt.getSubject();
        if (sub == null || sub.isBlank()) throw new InvalidTokenException("Invalid token: sub is missing");
        String email = jwt.getClaim("email").asString();
        if (email == null) email = jwt.getClaim("username").asString();
        String scope = jwt.getClaim("scope").asString();
        Set<String> scopes = scope == null ? Set.of()
                : Arrays.stream(scope.trim().split("\\s+")).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
        String displayName = null;
        for (String claim : new String[] {"username", "preferred_username", "name"}) {
            String v = jwt.getClaim(claim).asString();
            // providers that use the address as the user name put it in these claims too
            if (v != null && !v.isBlank() && !EMAIL_LIKE.matcher(v).matches()) {
                displayName = v;
                break;
            }
        }
        String avatar = jwt.getClaim("avatar_url").asString();
        if (avatar == null) avatar = jwt.getClaim("picture").asString();
        return new Identity(sub, email, displayName, scopes, avatar);
    }
}
