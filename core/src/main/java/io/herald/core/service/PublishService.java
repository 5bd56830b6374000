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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fan-out: find the subscribers of a publication's topics (Queries, never a Scan), keep each
 * connection once, check private topics, encode once per (profile, topic), post concurrently,
 * forget connections that answer 410 (unless still in their connect window). With an id the
 * publication is delivered at least once to every reachable subscriber and completed once.
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
    private volatile BackendHook backendHook = BackendHook.NONE;

    /**
     * What a profile does with a backend's publication before its fan-out (the chat stores
     * {@code conversation.*}). Only trusted entry points run it; clients may not publish its types.
     */
    public interface BackendHook {
        BackendHook NONE = new BackendHook() {
            @Override
            public boolean owns(String type) {
                return false;
            }

            @Override
            public void accept(Publication p, Instant now) {}
        };

        /** Whether publications of this type are reserved to backends. */
        boolean owns(String type);

        /** @throws InvalidPublicationException to refuse the publication */
        void accept(Publication p, Instant now);
    }

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
     * Fans a publication out. With an id, the id is claimed only once the publication is known to
     * be deliverable (sizes and frames checked), marked completed only after every subscriber was
     * reached or found gone, and released when the fan-out fails, so the trigger's retry delivers it.
     *
     * @throws InvalidPublicationException when an encoded message would exceed API Gateway's 128 KB
     * @throws PublicationInProgressException when another attempt holds the id
     * @throws FanOutIncompleteException when subscribers could not be reached (id released)
     */
    public Result publish(Publication p, Instant now) {
        return publish(p, now, false);
    }

    /**
     * A backend's publication (HTTP publish with the publish scope, SQS, EventBridge, direct
     * invocation): as {@link #publish}, and the {@link BackendHook} runs once the id is claimed, so
     * a duplicate never reaches it and a refusal releases the id.
     */
    public Result publishFromBackend(Publication p, Instant now) {
        return publish(p, now, true);
    }

    /** True for types only a backend may publish (a client's publication of one is refused). */
    public boolean reservedForBackends(String type) {
        return type != null && backendHook.owns(type);
    }

    private Result publish(Publication p, Instant now, boolean fromBackend) {
        long started = System.nanoTime();
        int dataBytes = Json.write(p.data()).getBytes(StandardCharsets.UTF_8).length;
        if (dataBytes > config.maxOutboundMessageBytes()) throw tooLarge(dataBytes);
        List<Delivery.Target> targets = targets(p, now);
        if (p.id() != null) {
            PublicationLedger.Claim claim = ledger.claim(p.id(), now, now.plus(CLAIM_LIFETIME));
            if (claim != PublicationLedger.Claim.CLAIMED) {
                Result r = new Result(p.id(), true, 0, 0, 0, 0, 0);
                logResult(p, r, started, claim.name(), 0);
                if (claim == PublicationLedger.Claim.IN_PROGRESS) throw new PublicationInProgressException(p.id());
                return r;
            }
        }
        if (fromBackend && backendHook.owns(p.type())) {
            try {
                backendHook.accept(p, now);
            } catch (RuntimeException | Error e) {
                if (p.id() != null) release(p.id(), e);
                throw e;
            }
        }

        Delivery.Report report;
        try {
            report = deliver(targets, now);
        } catch (RuntimeException | Error e) {
            if (p.id() != null) release(p.id(), e);
            throw e;
        }
        long cleanupStarted = System.nanoTime();
        cleanUp(report.gone());
        double cleanupMs = (System.nanoTime() - cleanupStarted) / 1_000_000.0;
        Result r = new Result(p.id(), false, targets.size(), report.delivered(), report.gone().size(),
                report.retried(), report.failed());
        boolean incomplete = report.retryable() > 0;
        logResult(p, r, started, p.id() == null ? null : incomplete ? "RELEASED" : "COMPLETED", cleanupMs);
        if (p.id() != null) {
            if (incomplete) {
                release(p.id(), null);
                throw new FanOutIncompleteException(p.id(), r);
            }
            ledger.complete(p.id(), now);
        }
        return r;
    }

    void backendHook(BackendHook hook) {
        this.backendHook = hook;
    }

    /**
     * How long a claim stands before another attempt may take it over: beyond the function timeout
     * (29 s), so a live attempt keeps it, and below SQS's visibility timeout (180 s) and Lambda's
     * first asynchronous retry, so the retry after a crash finds it lapsed.
     */
    static final Duration CLAIM_LIFETIME = Duration.ofSeconds(60);

    /** The targets with their shared frames; refuses the publication before anything is claimed or posted. */
    private List<Delivery.Target> targets(Publication p, Instant now) {
        Map<String, Encoding> encodingOf = match(p, now);
        Map<Encoding, byte[]> encoded = new HashMap<>();
        List<Delivery.Target> targets = new ArrayList<>(encodingOf.size());
        for (Map.Entry<String, Encoding> m : encodingOf.entrySet()) {
            byte[] frame = encoded.computeIfAbsent(m.getValue(), e -> {
                String text = profiles.get(e.profile()).renderEvent(p, e.topic(), now);
                return text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
            });
            if (frame.length > config.maxOutboundMessageBytes()) throw tooLarge(frame.length);
            if (frame.length > 0) targets.add(new Delivery.Target(m.getKey(), frame));
        }
        return targets;
    }

    /**
     * Posts, then retries the 410s of connections still in their connect window (see
     * {@link ConnectWindow}) a few times. Those still refusing at the end are not reported gone
     * (they are not forgotten) but as retryable failures.
     */
    private Delivery.Report deliver(List<Delivery.Target> targets, Instant now) {
        Delivery.Report first = delivery.deliver(targets);
        List<Delivery.Target> young = young(first.gone(), targets, now);
        if (young.isEmpty()) return first;
        Delivery.Report total = withoutGone(first, young);
        Instant at = now;
        for (int attempt = 1; attempt <= ConnectWindow.ATTEMPTS && !young.isEmpty(); attempt++) {
            try {
                at = ConnectWindow.pause(delivery.sleeper(), attempt, at);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            Delivery.Report again = delivery.deliver(young);
            List<Delivery.Target> still = young(again.gone(), young, at);
            total = total.plus(withoutGone(again, still));
            young = still;
        }
        return total.plus(new Delivery.Report(0, List.of(), 0, young.size(), young.size()));
    }

    /** The targets among {@code gone} whose connection is stored and still in its connect window. */
    private List<Delivery.Target> young(List<String> gone, List<Delivery.Target> targets, Instant now) {
        if (gone.isEmpty()) return List.of();
        // one read per gone connection, side by side: thousands of them must not queue up
        Set<String> young = java.util.concurrent.ConcurrentHashMap.newKeySet();
        delivery.forEach(gone, id -> registry.connections().get(id, now)
                .filter(c -> ConnectWindow.young(c, now)).ifPresent(c -> young.add(id)));
        List<Delivery.Target> out = new ArrayList<>();
        for (Delivery.Target t : targets) if (young.contains(t.connectionId())) out.add(t);
        return out;
    }

    private static Delivery.Report withoutGone(Delivery.Report r, List<Delivery.Target> notGone) {
        if (notGone.isEmpty()) return r;
        Set<String> ids = new HashSet<>();
        notGone.forEach(t -> ids.add(t.connectionId()));
        List<String> gone = r.gone().stream().filter(id -> !ids.contains(id)).toList();
        return new Delivery.Report(r.delivered(), gone, r.retried(), r.failed(), r.retryable());
    }

    /**
     * Forgets connections that answered 410, side by side within the delivery bound. A failure
     * here costs a later 410 (or the TTL), never a redelivery.
     */
    private void cleanUp(List<String> gone) {
        if (gone.isEmpty()) return;
        List<String> failed = registry.forgetAll(gone, delivery::forEach);
        if (!failed.isEmpty()) log.log(EventLog.line("cleanup_failed").put("connections", failed.size()));
    }

    private void release(String id, Throwable cause) {
        try {
            ledger.releaseClaim(id);
        } catch (RuntimeException e) {
            // the claim lapses after CLAIM_LIFETIME; the retry then takes it over
            if (cause != null) cause.addSuppressed(e);
            else log.log(EventLog.line("release_failed").put("publicationId", id).put("error", e.getMessage()));
        }
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
        return InvalidPublicationException.tooLarge(bytes, config.maxOutboundMessageBytes());
    }

    private void logResult(Publication p, Result r, long started, String ledgerState, double cleanupMs) {
        ObjectNode line = EventLog.line("publish");
        line.put("publicationId", p.id()).put("type", p.type());
        if (ledgerState != null) line.put("ledger", ledgerState);
        p.topics().forEach(line.putArray("topics")::add);
        line.setAll((ObjectNode) r.toJson().without("id"));
        line.put("durationMs", (System.nanoTime() - started) / 1_000_000.0);
        if (r.gone() > 0) line.put("cleanupMs", cleanupMs);
        log.log(line);
    }
}
