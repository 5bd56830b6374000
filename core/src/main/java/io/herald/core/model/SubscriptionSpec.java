package io.herald.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.topic.TopicPattern;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a client asked to receive: a pattern, optionally narrowed to event types and to
 * equality filters on the event's data fields (all must hold).
 *
 * @param types   event types; empty means every type
 * @param filters data field name to required scalar value (compared as text)
 */
public record SubscriptionSpec(TopicPattern pattern, Set<String> types, Map<String, String> filters) {
    public SubscriptionSpec {
        types = Set.copyOf(types);
        filters = Map.copyOf(filters);
    }

    public static SubscriptionSpec of(TopicPattern pattern) {
        return new SubscriptionSpec(pattern, Set.of(), Map.of());
    }

    public boolean accepts(Publication p) {
        if (!types.isEmpty() && !types.contains(p.type())) return false;
        for (Map.Entry<String, String> f : filters.entrySet()) {
            JsonNode v = p.data().get(f.getKey());
            if (v == null || v.isNull() || v.isContainerNode() || !v.asText().equals(f.getValue())) return false;
        }
        return true;
    }

    /** Stable identity of this spec on a connection: the same request twice is one subscription. */
    public String key() {
        StringBuilder b = new StringBuilder(pattern.text()).append('|');
        new TreeSet<>(types).forEach(t -> b.append(t).append(','));
        b.append('|');
        new TreeMap<>(filters).forEach((k, v) -> b.append(k).append('=').append(v).append(','));
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(b.toString().getBytes(StandardCharsets.UTF_8));
            StringBuilder h = new StringBuilder();
            for (int i = 0; i < 8; i++) h.append(String.format("%02x", d[i]));
            return h.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
