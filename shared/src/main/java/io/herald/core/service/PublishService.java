package io.herald.core.service;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.delivery.Delivery;
import io.herald.core.json.Json;
import io.herald.core.model.InvalidPublicationException;
import io.herald.core.model.Publication;
import io.herald.core.model.Subscriber;
import io.herald.core.policy.AccessPolicy;
import io.herald.core.profile.Profiles;
import io.herald.core.store.PublicationLedger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fan-out: find the subscribers of a publication's topics (Queries, never a Scan), keep each
 * connection once, check private topics, encode once per (profile, topic), post concurrently,
 * forget connections that answer 410.
 */
public final class PublishService {
    /** What one publication did; also the HTTP publish API's response body. */
    public record Result(String publicationId, boolean duplicate, int matched, int delivered, int gone, int retried, int failed) {
        public ObjectNode toJson() {
            ObjectNode o = Json.object();
            if (publicationId != null) o.put("id", publicationId);
            return o.put("duplicate", duplicate).put("matched", matched).put("delivered", delivered)
                    .put("gone", gone).put("retried", retried).put("failed", failed);
        }
    }

    private final ConnectionRegistry registry;
    private final PublicationLedger ledger;
    private final Delivery delivery;
    private final Profiles profiles;
    private final AccessPolicy policy;
    private final HeraldConfig config;
    private final EventLog log;

    public PublishService(ConnectionRegistry registry, PublicationLedger ledger, Delivery delivery, Profiles profiles,
            AccessPolicy policy, HeraldConfig config, EventLog log) {
        this.registry = registry;
        this.ledger = ledger;
        this.delivery = delivery;
        this.profiles = profiles;
        this.policy = policy;
        this.config = config;
        this.log = log;
    }

    /**
     * @throws InvalidPublicationException when an encoded message would exceed API Gateway's 128 KB
     */
    public Result publish(Publication p, Instant now) {
        long started = System.nanoTime();
        int dataBytes = Json.write(p.data()).getBytes(StandardCharsets.UTF_8).length;
        if (dataBytes > config.maxFrameBytes()) throw tooLarge(dataBytes);
        if (p.id() != null && !ledger.claim(p.id(), now)) {
            Result r = new Result(p.id(), true, 0, 0, 0, 0, 0);
            logResult(p, r, started);
            return r;
        }

        Map<String, Encoding> encodingOf = match(p, now);
        Map<Encoding, byte[]> encoded = new HashMap<>();
        List<Delivery.Target> targets = new ArrayList<>(encodingOf.size());
        for (Map.Entry<String, Encoding> m : encodingOf.entrySet()) {
            byte[] frame = encoded.computeIfAbsent(m.getValue(), e -> {
                String text = profiles.get(e.profile()).renderEvent(p, e.topic(), now);
                return text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
            });
            if (frame.length > config.maxFrameBytes()) throw tooLarge(frame.length);
            if (frame.length > 0) targets.add(new Delivery.Target(m.getKey(), frame));
        }

        Delivery.Report report = delivery.deliver(targets);
        report.gone().forEach(registry::forget);
        Result r = new Result(p.id(), false, targets.size(), report.delivered(), report.gone().size(),
                report.retried(), report.failed());
        logResult(p, r, started);
        return r;
    }

    /** One rendering of a publication: every connection with the same profile and topic shares its bytes. */
    private record Encoding(String profile, String topic) {}

    /** Connection id to the encoding of its first matching subscription. */
    private Map<String, Encoding> match(Publication p, Instant now) {
        Map<String, Encoding> out = new LinkedHashMap<>();
        for (String topic : p.topics()) {
            for (Subscriber s : registry.subscriptions().candidates(topic, now)) {
                if (out.containsKey(s.connectionId())) continue; // once per connection, whatever matched
                if (!s.spec().pattern().matches(topic) || !s.spec().accepts(p)) continue;
                // exact subscriptions were authorized when made; wildcards are checked per topic
                if (!s.spec().pattern().isExact() && !policy.canRead(s.userId(), topic)) continue;
                out.put(s.connectionId(), new Encoding(s.profile(), topic));
            }
        }
        return out;
    }

    private InvalidPublicationException tooLarge(int bytes) {
        return InvalidPublicationException.tooLarge(bytes, config.maxFrameBytes());
    }

    private void logResult(Publication p, Result r, long started) {
        ObjectNode line = EventLog.line("publish");
        line.put("publicationId", p.id()).put("type", p.type());
        p.topics().forEach(line.putArray("topics")::add);
        line.setAll((ObjectNode) r.toJson().without("id"));
        line.put("durationMs", (System.nanoTime() - started) / 1_000_000.0);
        log.log(line);
    }
}
