package io.herald.core.service;

import java.util.Map;

/**
 * A $connect as the core sees it.
 *
 * @param headers header names lower-cased
 */
public record ConnectRequest(String connectionId, Map<String, String> query, Map<String, String> headers,
        String sourceIp, String userAgent) {
    public ConnectRequest {
        query = query == null ? Map.of() : Map.copyOf(query);
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    /** The token from {@code ?token=} or {@code Authorization: Bearer}, or null. */
    public String token() {
        String q = query.get("token");
        if (q != null && !q.isBlank()) return q;
        String auth = headers.get("authorization");
        if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) return auth.substring(7).trim();
        return null;
    }
}
