/** The bearer-token port ({@link io.herald.core.auth.TokenVerifier}) and what it yields; the JWT adapter is io.herald.jwt. */
package io.herald.core.auth;
