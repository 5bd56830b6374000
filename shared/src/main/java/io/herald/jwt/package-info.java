/**
 * The JWT adapter behind the core's {@link io.herald.core.auth.TokenVerifier} port: HS256 with a
 * shared secret, RS256/ES256 with keys from a JWKS URL (java-jwt, {@code java.net.http}).
 */
package io.herald.jwt;
