package io.herald.core.auth;

import java.util.Set;

/**
 * Who a verified token says the caller is.
 *
 * @param userId the {@code sub} claim
 * @param email       the {@code email} claim (or {@code username}), or null; private to its user
 * @param displayName what others may see: {@code username}, else {@code preferred_username}, else
 *                    {@code name}, else the {@code sub}; never the email
 * @param scopes      the space-separated {@code scope} claim, split
 * @param avatarUrl   the {@code avatar_url} claim, else {@code picture}, or null
 */
public record Identity(String userId, String email, String displayName, Set<String> scopes, String avatarUrl) {
    public static final String PUBLISH_SCOPE = "herald:publish";

    public Identity {
        scopes = Set.copyOf(scopes);
        if (displayName == null || displayName.isBlank()) displayName = userId;
    }

    /** Without an avatar. */
    public Identity(String userId, String email, String displayName, Set<String> scopes) {
        this(userId, email, displayName, scopes, null);
    }

    public boolean canPublish() {
        return scopes.contains(PUBLISH_SCOPE);
    }
}
