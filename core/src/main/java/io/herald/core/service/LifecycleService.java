package io.herald.core.service;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.delivery.ConnectionNotifier;
import io.herald.core.delivery.Delivery;
import io.herald.core.json.Json;
import io.herald.core.json.Timestamps;
import io.herald.core.model.Connection;
import io.herald.core.model.Publication;
import io.herald.core.profile.Profile;
import io.herald.core.profile.Profiles;
import java.nio.charset.StandardCharsets;
import io.herald.core.topic.Topic;
import java.time.Instant;
import java.util.List;

/**
 * What follows a connect or a disconnect, off the $connect path: welcome frames, one connection
 * per user, presence. On AWS this runs from the connections table's stream.
 */
public final class LifecycleService {
    private final ConnectionRegistry registry;
    private final Profiles profiles;
    private final PublishService publisher;
    private final Delivery delivery;
    private final Delivery.Sleeper sleeper;
    private final EventLog log;

    public LifecycleService(ConnectionRegistry registry, Profiles profiles, PublishService publisher, Delivery delivery,
            Delivery.Sleeper sleeper, EventLog log) {
        this.registry = registry;
        this.profiles = profiles;
        this.publisher = publisher;
        this.delivery = delivery;
        this.sleeper = sleeper;
        this.log = log;
    }

    /** A new connection was stored. */
    public void connected(Connection c, Instant now) throws InterruptedException {
        Profile profile = profiles.get(c.profile());
        if (profile.singleConnectionPerUser() && c.userId() != null) closeOlder(c, now);
        String welcome = profile.welcome(c, now);
        if (welcome == null) return;
        byte[] frame = welcome.getBytes(StandardCharsets.UTF_8);
        Instant at = now;
        for (int attempt = 1; attempt <= ConnectWindow.ATTEMPTS; attempt++) {
            ConnectionNotifier.Outcome o = delivery.sendOne(c.id(), frame);
            if (o != ConnectionNotifier.Outcome.GONE) return;
            // 410 while $connect has not returned yet; give up once the connection is old or forgotten
            if (!ConnectWindow.young(c, at) || registry.connections().get(c.id(), at).isEmpty()) break;
            at = ConnectWindow.pause(sleeper, attempt, at);
        }
        log.log(EventLog.line("welcome_undelivered").put("connectionId", c.id()));
    }

    private void closeOlder(Connection c, Instant now) {
        List<Connection> mine = registry.connections().byUser(c.userId(), now);
        for (Connection other : mine) {
            if (other.id().equals(c.id()) || !other.profile().equals(c.profile())) continue;
            boolean older = other.connectedAt().isBefore(c.connectedAt())
                    || (other.connectedAt().equals(c.connectedAt()) && other.id().compareTo(c.id()) < 0);
            if (!older) continue;
            // a close that keeps failing skips nothing: the older one is forgotten (it gets no
            // more events) and the loop goes on to the next
            if (!delivery.disconnect(other.id())) {
                log.log(EventLog.line("disconnect_failed").put("connectionId", other.id()));
            }
            registry.forget(other.id());
            log.log(EventLog.line("replaced_connection").put("connectionId", other.id()).put("by", c.id()));
        }
    }

    /** $disconnect (or a 410) removed the connection; returns whether it was still known. */
    public boolean disconnected(String connectionId, Instant now) {
        var gone = registry.forget(connectionId);
        gone.ifPresent(c -> {
            if (c.authenticated() && profiles.get(c.profile()).announcesPresence()) {
                ObjectNode data = Json.object().put("user_id", c.userId()).put("left_at", Timestamps.seconds(now));
                publisher.publish(new Publication(null, "user_left", List.of("presence." + Topic.segment(c.userId())), data, null), now);
            }
        });
        return gone.isPresent();
    }
}
