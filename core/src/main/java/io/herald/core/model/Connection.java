package io.herald.core.model;

import java.time.Instant;
import java.util.Map;

/**
 * One open WebSocket as Herald stores it.
 *
 * @param userId     the authenticated user, or null until the connection authenticates
 * @param attributes small strings the profile needs later (email claim, eventId from the query)
 * @param expiresAt  epoch seconds after which the item is dead even if $disconnect never ran
 */
public record Connection(
        String id,
        String userId,
        String profile,
        Instant connectedAt,
        String sourceIp,
        String userAgent,
        Map<String, String> attributes,
        long expiresAt) {

    public Connection {
        attributes = Map.copyOf(attributes);
    }

    public boolean authenticated() {
        return userId != null;
    }

    public String attribute(String name) {
        return attributes.get(name);
    }

    public boolean expired(Instant now) {
        return expiresAt <= now.getEpochSecond();
    }
}
