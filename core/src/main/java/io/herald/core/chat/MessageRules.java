package io.herald.core.chat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.Set;

/**
 * What each message type needs (the README lists the same):
 * <ul>
 * <li>{@code text}: {@code content} of 1 to 2,000 characters (code points).</li>
 * <li>{@code photo}, {@code photo_ephemeral}: {@code content} is an absolute {@code https} URL
 *     with a host (the image itself lives elsewhere; the document's 10 MB is the image's limit).</li>
 * <li>{@code location}: {@code metadata.latitude} in [-90, 90] and {@code metadata.longitude} in
 *     [-180, 180], numbers; {@code content} optional (an address or label).</li>
 * <li>{@code gift}: {@code metadata.gift_id}, a non-empty string; {@code content} optional.</li>
 * <li>{@code system}: never from a client ({@code FORBIDDEN}); backends publish them.</li>
 * </ul>
 */
public final class MessageRules implements MessageCheck {
    public static final int MAX_TEXT = 2000;
    public static final Set<String> TYPES = Set.of("text", "photo", "photo_ephemeral", "location", "gift", "system");

    @Override
    public Draft check(Draft d, Instant now) {
        switch (d.type()) {
            case "text" -> {
                if (d.content() == null || d.content().isBlank()) throw ChatException.field("content", "Message content cannot be empty");
                if (d.content().codePointCount(0, d.content().length()) > MAX_TEXT) {
                    throw ChatException.field("content", "Text messages are limited to " + MAX_TEXT + " characters");
                }
            }
            case "photo", "photo_ephemeral" -> {
                if (d.content() == null || d.content().isBlank()) throw ChatException.field("content", "A photo needs its https URL as content");
                if (!isHttpsUrl(d.content())) throw ChatException.field("content", "A photo's content must be an https URL");
            }
            case "location" -> {
                coordinate(d, "latitude", 90);
                coordinate(d, "longitude", 180);
            }
            case "gift" -> {
                JsonNode g = d.metadata().get("gift_id");
                if (g == null || !g.isTextual() || g.asText().isBlank()) {
                    throw ChatException.field("metadata.gift_id", "A gift needs metadata.gift_id");
                }
            }
            case "system" -> throw new ChatException(ChatException.FORBIDDEN, "System messages come from backends only",
                    "type", "system messages cannot be sent by clients");
            default -> throw new ChatException(ChatException.INVALID_MESSAGE_TYPE, "Unsupported message type: " + d.type(),
                    "type", "one of " + TYPES);
        }
        return d;
    }

    private static void coordinate(Draft d, String name, double bound) {
        JsonNode v = d.metadata().get(name);
        if (v == null || !v.isNumber()) throw ChatException.field("metadata." + name, "A location needs metadata." + name + " as a number");
        double x = v.asDouble();
        if (!(x >= -bound && x <= bound)) throw ChatException.field("metadata." + name, name + " must be within ±" + (int) bound);
    }

    static boolean isHttpsUrl(String s) {
        try {
            URI u = new URI(s);
            return "https".equalsIgnoreCase(u.getScheme()) && u.getHost() != null && !u.getHost().isBlank();
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
