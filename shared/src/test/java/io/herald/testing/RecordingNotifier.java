package io.herald.testing;

import io.herald.core.delivery.ConnectionNotifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A notifier that records frames per connection; connections can be marked gone. */
public final class RecordingNotifier implements ConnectionNotifier {
    public final Map<String, List<String>> frames = new ConcurrentHashMap<>();
    public final Set<String> gone = ConcurrentHashMap.newKeySet();
    public final Set<String> disconnected = ConcurrentHashMap.newKeySet();

    @Override
    public Outcome post(String connectionId, byte[] payload) {
        if (gone.contains(connectionId)) return Outcome.GONE;
        frames.computeIfAbsent(connectionId, k -> Collections.synchronizedList(new ArrayList<>()))
                .add(new String(payload, StandardCharsets.UTF_8));
        return Outcome.DELIVERED;
    }

    @Override
    public Outcome disconnect(String connectionId) {
        disconnected.add(connectionId);
        return gone.add(connectionId) ? Outcome.DELIVERED : Outcome.GONE;
    }

    public List<String> to(String connectionId) {
        return frames.getOrDefault(connectionId, List.of());
    }

    public String last(String connectionId) {
        List<String> l = to(connectionId);
        return l.isEmpty() ? null : l.get(l.size() - 1);
    }
}
