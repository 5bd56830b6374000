/** Bearer-token verification (JWT: HS256 secret, or RS256/ES256 via JWKS). */
package io.herald.core.auth;
