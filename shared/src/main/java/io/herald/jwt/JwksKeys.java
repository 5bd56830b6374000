package io.herald.jwt;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.auth.IssuerUnavailableException;
import io.herald.core.json.Json;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Public keys from a JWKS document (Cognito, Auth0), cached. An unknown {@code kid} triggers a
 * refetch, at most once a minute, so key rotation works without letting junk kids hammer the
 * issuer.
 *
 * <p>The fetch runs outside any lock and once for all callers that need it at the same time (they
 * wait for that one fetch, not for each other's). When the issuer cannot be reached, keys already
 * fetched keep verifying for {@link #GRACE} past their age; a token no cached key can decide then
 * raises {@link IssuerUnavailableException} (503), never "bad token" (401). After a failed fetch
 * the next attempt waits {@link #RETRY_AFTER_FAILURE}.
 */
public final class JwksKeys {
    static final Duration MAX_AGE = Duration.ofMinutes(10);
    static final Duration MIN_REFETCH = Duration.ofMinutes(1);
    static final Duration GRACE = Duration.ofHours(1);
    static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(5);

    private record Snapshot(Map<String, PublicKey> keys, Instant fetchedAt) {}

    private final Supplier<String> fetch;
    private final Clock clock;
    private volatile Snapshot snapshot = new Snapshot(Map.of(), Instant.EPOCH);
    private volatile Instant failedAt = Instant.EPOCH;
    private volatile RuntimeException lastFailure;
    private final Object lock = new Object();
    /** The fetch in progress, shared by every caller that needs it; guarded by {@link #lock}. */
    private CompletableFuture<Snapshot> inFlight;

    public JwksKeys(Supplier<String> fetch, Clock clock) {
        this.fetch = fetch;
        this.clock = clock;
    }

    /** Fetches over HTTPS with the JDK client (no extra dependency in the Lambda jar). */
    public static JwksKeys fromUrl(String url, Clock clock) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        return new JwksKeys(() -> {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) throw new IllegalStateException("JWKS " + url + " answered " + r.statusCode());
                return r.body();
            } catch (java.io.IOException e) {
                throw new IllegalStateException("JWKS " + url + " unreachable: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted fetching JWKS", e);
            }
        }, clock);
    }

    RSAPublicKey rsa(String kid) {
        return key(kid) instanceof RSAPublicKey k ? k : null;
    }

    ECPublicKey ec(String kid) {
        return key(kid) instanceof ECPublicKey k ? k : null;
    }

    private PublicKey key(String kid) {
        Instant now = clock.instant();
        Snapshot s = snapshot;
        boolean stale = now.isAfter(s.fetchedAt.plus(MAX_AGE));
        boolean unknown = kid == null || !s.keys.containsKey(kid);
        boolean wanted = stale || (unknown && now.isAfter(s.fetchedAt.plus(MIN_REFETCH)));
        if (wanted && !now.isBefore(failedAt.plus(RETRY_AFTER_FAILURE))) {
            try {
                s = refresh();
            } catch (RuntimeException e) {
                // the issuer is down: cached keys may still decide, below
            }
        }
        boolean failing = failedAt.isAfter(s.fetchedAt);
        if (failing) {
            boolean expired = now.isAfter(s.fetchedAt.plus(MAX_AGE).plus(GRACE));
            boolean undecidable = kid == null || !s.keys.containsKey(kid);
            if (expired || undecidable) {
                throw new IssuerUnavailableException("Token issuer unavailable; retry shortly", lastFailure);
            }
        }
        return kid == null ? null : s.keys.get(kid);
    }

    /** One fetch for all callers that need one now; the lock is held only to join or start it. */
    private Snapshot refresh() {
        CompletableFuture<Snapshot> f;
        boolean mine = false;
        synchronized (lock) {
            if (inFlight == null) {
                inFlight = new CompletableFuture<>();
                mine = true;
            }
            f = inFlight;
        }
        if (mine) {
            try {
                Snapshot fresh = new Snapshot(parse(fetch.get()), clock.instant());
                snapshot = fresh;
                f.complete(fresh);
            } catch (RuntimeException e) {
                lastFailure = e;
                failedAt = clock.instant();
                f.completeExceptionally(e);
            } finally {
                synchronized (lock) {
                    inFlight = null;
                }
            }
        }
        try {
            return f.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    static Map<String, PublicKey> parse(String jwks) {
        Map<String, PublicKey> out = new HashMap<>();
        for (JsonNode k : Json.parse(jwks).path("keys")) {
            String kid = Json.text(k, "kid");
            if (kid == null) continue;
            try {
                switch (k.path("kty").asText()) {
                    case "RSA" -> out.put(kid, KeyFactory.getInstance("RSA").generatePublic(
                            new RSAPublicKeySpec(uint(k, "n"), uint(k, "e"))));
                    case "EC" -> {
                        AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
                        p.init(new ECGenParameterSpec(curve(k.path("crv").asText())));
                        ECParameterSpec spec = p.getParameterSpec(ECParameterSpec.class);
                        out.put(kid, KeyFactory.getInstance("EC").generatePublic(
                                new ECPublicKeySpec(new ECPoint(uint(k, "x"), uint(k, "y")), spec)));
                    }
                    default -> { } // other key types (oct, OKP) cannot verify RS256/ES256
                }
            } catch (java.security.GeneralSecurityException | IllegalArgumentException e) {
                // one malformed key must not disable the others
            }
        }
        return Map.copyOf(out);
    }

    private static String curve(String crv) {
        return switch (crv) {
            case "P-256" -> "secp256r1";
            case "P-384" -> "secp384r1";
            case "P-521" -> "secp521r1";
            default -> throw new IllegalArgumentException("unsupported curve " + crv);
        };
    }

    private static BigInteger uint(JsonNode k, String field) {
        return new BigInteger(1, Base64.getUrlDecoder().decode(k.path(field).asText()));
    }
}
