package io.herald.core.service;

import io.herald.core.delivery.Delivery;
import io.herald.core.log.EventLog;
import io.herald.core.model.Connection;
import io.herald.core.model.InvalidPublicationException;
import io.herald.core.model.Publication;
import io.herald.core.model.Subscriber;
import io.herald.core.model.SubscriptionSpec;
import io.herald.core.profile.ProfileContext;
import io.herald.core.store.SubscriptionStore;
import io.herald.core.topic.TopicPattern;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import io.herald.core.delivery.ConnectionNotifier;
import java.util.concurrent.ConcurrentHashMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Herald's side of {@link ProfileContext}: the registry, delivery and fan-out the hooks may use. */
final class ProfileRuntime implements ProfileContext {
    private final ConnectionRegistry registry;
    private final io.herald.core.profile.Profiles profiles;
    private final Delivery delivery;
    private final PublishService publisher;
    private final HeraldConfig config;
    private final EventLog log;

    ProfileRuntime(ConnectionRegistry registry, io.herald.core.profile.Profiles profiles, Delivery delivery, PublishService publisher,
            HeraldConfig config, EventLog log) {
        this.registry = registry;
        this.profiles = profiles;
        this.delivery = delivery;
        this.publisher = publisher;
        this.config = config;
        this.log = log;
    }

    @Override
    public List<Connection> connectionsOf(String userId, String profile, Instant now) {
        return registry.connections().byUser(userId, now).stream().filter(c -> profile.equals(c.profile())).toList();
    }

    @Override
    public Set<String> subscribers(String topic, String profile, Instant now) {
        Set<String> out = new LinkedHashSet<>();
        for (Subscriber s : registry.subscriptions().candidates(topic, now)) {
            if (profile.equals(s.profile()) && s.spec().pattern().isExact() && s.spec().pattern().matches(topic)) {
                out.add(s.connectionId());
            }
        }
        return out;
    }

    @Override
    public SubscriptionStore.AddResult subscribe(Connection c, TopicPattern pattern, Instant now) {
        return registry.subscribe(c, SubscriptionSpec.of(pattern), config.subscriptionLimit(), now);
    }

    @Override
    public void unsubscribe(Connection c, TopicPattern pattern) {
        registry.unsubscribe(c, pattern);
    }

    @Override
    public Set<String> send(Collection<String> connectionIds, String frame) {
        if (connectionIds.isEmpty()) return Set.of();
        byte[] bytes = frame.getBytes(StandardCharsets.UTF_8);
        Set<String> reached = ConcurrentHashMap.newKeySet();
        Set<String> gone = ConcurrentHashMap.newKeySet();
        delivery.forEach(new ArrayList<>(new LinkedHashSet<>(connectionIds)), id -> {
            ConnectionNotifier.Outcome o = delivery.sendOne(id, bytes);
            if (o == ConnectionNotifier.Outcome.DELIVERED) reached.add(id);
            else if (o == ConnectionNotifier.Outcome.GONE) gone.add(id);
        });
        // a 410 outside the connect window: that connection is gone for good (its hooks run too)
        Instant now = Instant.now();
        for (String id : gone) {
            registry.connections().get(id, now).filter(c -> !ConnectWindow.young(c, now)).ifPresent(c -> registry.forget(id));
        }
        return reached;
    }

    /** The fan-out's own delivery: connect-window retries for young 410s, the others forgotten side by side. */
    @Override
    public Posted post(Map<String, String> frames, Instant now) {
        if (frames.isEmpty()) return Posted.NONE;
        Map<String, byte[]> encoded = new HashMap<>(); // connections with the same frame share its bytes
        List<Delivery.Target> targets = new ArrayList<>(frames.size());
        frames.forEach((id, frame) -> targets.add(new Delivery.Target(id,
                encoded.computeIfAbsent(frame, f -> f.getBytes(StandardCharsets.UTF_8)))));
        Set<String> reached = ConcurrentHashMap.newKeySet();
        Delivery.Report r = publisher.deliver(targets, now, reached::add);
        publisher.cleanUp(r.gone());
        return new Posted(targets.size(), Set.copyOf(reached), r.gone().size(), r.retried(), r.failed(), r.retryable());
    }

    @Override
    public void close(Connection c, String reason, int code, Instant now) {
        String farewell = profiles.get(c.profile()).closingFrame(c, reason, code, now);
        if (farewell != null) delivery.sendOne(c.id(), farewell.getBytes(StandardCharsets.UTF_8));
        // forgotten even if the close keeps failing: a connection Herald closes gets nothing more
        if (!delivery.disconnect(c.id())) log.log(EventLog.line("disconnect_failed").put("connectionId", c.id()));
        registry.forget(c.id());
    }

    /**
     * An invalid publication is logged and dropped (a profile's own event, nobody to answer). A
     * retryable failure is not swallowed: it is thrown to the caller, whose trigger retries (today
     * only publications without an id come through here, and those never fail retryably).
     */
    @Override
    public void publish(Publication p, Instant now) {
        try {
            publisher.publish(p, now);
        } catch (InvalidPublicationException e) {
            log.log(EventLog.line("profile_publish_failed").put("type", p.type()).put("error", e.getMessage()));
        }
    }
}
