package io.herald.core.service;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.delivery.Deadline;
import io.herald.core.delivery.Delivery;
import io.herald.core.fanout.FanOutPorts;
import io.herald.core.fanout.FanOutTask;
import io.herald.core.json.Json;
import io.herald.core.log.EventLog;
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
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Fan-out: find the subscribers of a publication's topics (Queries, never a Scan), keep each
 * connection once, check private topics, encode once per (profile, topic), post concurrently,
 * forget connections that answer 410 (unless still in their connect window). With an id the
 * publication is delivered at least once to every reachable subscriber and completed once.
 *
 * <p>With a fan-out queue ({@link FanOutPorts}), a publication whose topics have more than
 * {@code inlineFanOutLimit} subscription candidates is not posted here: it is handed to the queue
 * as one task per subscription shard, and {@link FanOutService} workers read, split and post it.
 */
public final class PublishService {
    /** What one publication did; also the HTTP publish API's response body. */
    public record Result(String publicationId, boolean duplicate, int matched, int delivered, int gone, int retried, int failed,
            int tasks) {
        /** An inline fan-out's result (no tasks handed out). */
        public Result(String publicationId, boolean duplicate, int matched, int delivered, int gone, int retried, int failed) {
            this(publicationId, duplicate, matched, delivered, gone, retried, failed, 0);
        }

        public ObjectNode toJson() {
            ObjectNode o = Json.object();
            if (publicationId != null) o.put("id", publicationId);
            o.put("duplicate", duplicate).put("matched", matched).put("delivered", delivered)
                    .put("gone", gone).put("retried", retried).put("failed", failed);
            // a tree fan-out: the workers count matches and deliveries (their log lines), not this call
            if (tasks > 0) o.put("tasks", tasks);
            return o;
        }
    }

    private final ConnectionRegistry registry;
    private final PublicationLedger ledger;
    private final Delivery delivery;
    private final Profiles profiles;
    private final AccessPolicy policy;
    private final HeraldConfig config;
    private final EventLog log;
    private final FanOutPorts tree;
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
        this(registry, ledger, delivery, profiles, policy, config, log, FanOutPorts.NONE);
    }

    public PublishService(ConnectionRegistry registry, PublicationLedger ledger, Delivery delivery, Profiles profiles,
            AccessPolicy policy, HeraldConfig config, EventLog log, FanOutPorts tree) {
        this.tree = tree;
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
        return publish(p, now, false, Deadline.NONE);
    }

    /**
     * A backend's publication (HTTP publish with the publish scope, SQS, EventBridge, direct
     * invocation): as {@link #publish}, and the {@link BackendHook} runs once the id is claimed, so
     * a duplicate never reaches it and a refusal releases the id.
     */
    public Result publishFromBackend(Publication p, Instant now) {
        return publish(p, now, true, Deadline.NONE);
    }

    /**
     * As above, starting no post once {@code deadline} has passed: the publication then ends
     * incomplete (whom it reached recorded, its id released), and its retry posts to the rest.
     */
    public Result publishFromBackend(Publication p, Instant now, Deadline deadline) {
        return publish(p, now, true, deadline);
    }

    /** True for types only a backend may publish (a client's publication of one is refused). */
    public boolean reservedForBackends(String type) {
        return type != null && backendHook.owns(type);
    }

    private Result publish(Publication p, Instant now, boolean fromBackend, Deadline deadline) {
        long started = System.nanoTime();
        int dataBytes = Json.write(p.data()).getBytes(StandardCharsets.UTF_8).length;
        if (dataBytes > config.maxOutboundMessageBytes()) throw tooLarge(dataBytes);
        Map<String, List<Subscriber>> found = candidates(p, now);
        if (found == null) return publishAsTree(p, now, started, fromBackend);
        List<Delivery.Target> targets = targets(p, now, found);
        PublicationLedger.Claim claim = claim(p, now, started);
        if (claim == PublicationLedger.Claim.COMPLETED) return duplicate(p, started);
        runBackendHook(p, now, fromBackend);

        Delivery.Report report;
        Set<String> reached = java.util.concurrent.ConcurrentHashMap.newKeySet();
        int skipped;
        boolean incomplete;
        try {
            List<Delivery.Target> rest = notReachedBefore(p.id(), claim, targets);
            skipped = targets.size() - rest.size();
            report = deliver(rest, now, reached::add, deadline);
            incomplete = incomplete(rest.size(), report);
            if (incomplete) recordReached(p.id(), reached, now);
        } catch (RuntimeException | Error e) {
            releaseAfter(p, now, e);
            throw e;
        }
        long cleanupStarted = System.nanoTime();
        cleanUp(report.gone(), deadline);
        double cleanupMs = (System.nanoTime() - cleanupStarted) / 1_000_000.0;
        Result r = new Result(p.id(), false, targets.size(), skipped + report.delivered(), report.gone().size(),
                report.retried(), report.failed());
        logResult(p, r, started, p.id() == null ? null : incomplete ? "RELEASED" : "COMPLETED", cleanupMs, skipped);
        if (p.id() != null) {
            if (incomplete) {
                release(p.id(), now, null);
                throw new FanOutIncompleteException(p.id(), r);
            }
            ledger.complete(p.id(), now);
        }
        return r;
    }

    /** Some targets may yet be reached by a retry, or every post was refused ({@link #refusedByAll}). */
    static boolean incomplete(int targets, Delivery.Report report) {
        return report.retryable() > 0 || refusedByAll(targets, report);
    }

    /**
     * A retried publication's targets without those an earlier attempt reached: a subscriber that
     * keeps refusing (a client that stopped reading its socket is answered 429 on every post) then
     * costs the others nothing on each retry. Read only on a retry's claim, so a first attempt pays
     * no read capacity for it.
     */
    private List<Delivery.Target> notReachedBefore(String id, PublicationLedger.Claim claim, List<Delivery.Target> targets) {
        if (claim != PublicationLedger.Claim.RECLAIMED || tree.delivered() == null) return targets;
        Set<String> before = tree.delivered().delivered(INLINE_KEY + id);
        if (before.isEmpty()) return targets;
        List<Delivery.Target> rest = new ArrayList<>(targets.size());
        for (Delivery.Target t : targets) if (!before.contains(t.connectionId())) rest.add(t);
        return rest;
    }

    /** Keeps whom an incomplete attempt reached, for its retry; losing the record costs duplicates, not the retry. */
    private void recordReached(String id, Set<String> reached, Instant now) {
        if (id == null || reached.isEmpty() || tree.delivered() == null) return;
        try {
            tree.delivered().record(INLINE_KEY + id, reached, now.plus(config.dedupWindow()));
        } catch (RuntimeException e) {
            log.log(EventLog.line("delivered_record_failed").put("publicationId", id).put("connections", reached.size())
                    .put("error", String.valueOf(e.getMessage())));
        }
    }

    /** The delivered sets' key of an inline publication (tree batches have keys of their own). */
    static final String INLINE_KEY = "inline#";

    /**
     * Every post refused (a 4xx other than 410 and 429: 403 for a wrong stage, a missing grant or a
     * bad signature) says the deployment is wrong, not the connections: completing would drop the
     * publication with a log line. The inline publisher and the tree's batches fail back to their
     * source instead (retries, then the dead-letter queue), to be redriven once it is fixed.
     */
    static boolean refusedByAll(int targets, Delivery.Report report) {
        return targets > 0 && report.delivered() == 0 && report.gone().isEmpty() && report.failed() == targets && report.retryable() == 0;
    }

    void backendHook(BackendHook hook) {
        this.backendHook = hook;
    }

    /** Once the id is claimed: a backend's publication of a hooked type; a refusal releases the id. */
    private void runBackendHook(Publication p, Instant now, boolean fromBackend) {
        if (!fromBackend || !backendHook.owns(p.type())) return;
        try {
            backendHook.accept(p, now);
        } catch (RuntimeException | Error e) {
            releaseAfter(p, now, e);
            throw e;
        }
    }

    /**
     * How long a claim stands before another attempt may take it over: beyond the function timeout
     * (29 s), so a live attempt keeps it, and below SQS's visibility timeout (180 s) and Lambda's
     * first asynchronous retry, so the retry after a crash finds it lapsed.
     */
    static final Duration CLAIM_LIFETIME = Duration.ofSeconds(60);

    /**
     * Each topic's candidates, or null when a fan-out queue is set and together they exceed the
     * inline limit (then little beyond the limit was read: the workers read the rest, shard by shard).
     */
    private Map<String, List<Subscriber>> candidates(Publication p, Instant now) {
        Map<String, List<Subscriber>> out = new LinkedHashMap<>();
        int left = config.inlineFanOutLimit();
        for (String topic : p.topics()) {
            if (!tree.enabled()) {
                out.put(topic, registry.subscriptions().candidates(topic, now));
                continue;
            }
            java.util.Optional<List<Subscriber>> c = registry.subscriptions().candidates(topic, now, left);
            if (c.isEmpty()) return null;
            out.put(topic, c.get());
            left -= c.get().size();
        }
        return out;
    }

    /**
     * Hands a large publication to the workers: one task per subscription shard. The id is claimed
     * as inline, and completed once every task is queued (the queue holds the work from then on);
     * a failure to queue releases it, and the trigger's retry queues the same tasks again (their
     * batches carry the same keys, so workers do not post twice).
     */
    private Result publishAsTree(Publication p, Instant now, long started, boolean fromBackend) {
        for (String topic : p.topics()) {
            for (String profile : profiles.names()) {
                byte[] frame = render(p, new Encoding(profile, topic), now);
                if (frame.length > config.maxOutboundMessageBytes()) throw tooLarge(frame.length);
            }
        }
        String id = p.id() != null ? p.id() : "tree-" + UUID.randomUUID();
        List<FanOutTask> tasks = new ArrayList<>();
        for (int shard = 0; shard < registry.subscriptions().shards(); shard++) tasks.add(new FanOutTask.Shard(id, shard, p));
        // Cannot trigger with the standard profiles: the topics frame holds type, data and metadata
        // whole within 128 KB, so a shard body stays under about 155 KB (TreeFanOutServiceTest pins
        // it). Kept for a profile set without the topics profile, before the id is claimed.
        int bodyBytes = FanOutTask.write(tasks.get(0)).getBytes(StandardCharsets.UTF_8).length;
        if (bodyBytes > FanOutTask.MAX_BODY_BYTES) {
            throw new InvalidPublicationException("publication of " + bodyBytes + " bytes (data, topics and metadata) exceeds the "
                    + FanOutTask.MAX_BODY_BYTES + " bytes a fan-out task may carry");
        }
        if (claim(p, now, started) == PublicationLedger.Claim.COMPLETED) return duplicate(p, started);
        runBackendHook(p, now, fromBackend);
        try {
            tree.queue().enqueue(tasks);
        } catch (RuntimeException | Error e) {
            releaseAfter(p, now, e);
            throw e;
        }
        if (p.id() != null) ledger.complete(p.id(), now);
        Result r = new Result(p.id(), false, 0, 0, 0, 0, 0, tasks.size());
        logResult(p, r, started, p.id() == null ? null : "QUEUED", 0, 0);
        return r;
    }

    /**
     * Claims the publication's id; without an id there is nothing to claim (CLAIMED).
     *
     * @throws PublicationInProgressException when another attempt holds it
     */
    private PublicationLedger.Claim claim(Publication p, Instant now, long started) {
        if (p.id() == null) return PublicationLedger.Claim.CLAIMED;
        PublicationLedger.Claim claim = ledger.claim(p.id(), now, now.plus(CLAIM_LIFETIME));
        if (claim == PublicationLedger.Claim.IN_PROGRESS) {
            logResult(p, new Result(p.id(), true, 0, 0, 0, 0, 0), started, claim.name(), 0, 0);
            throw new PublicationInProgressException(p.id());
        }
        return claim;
    }

    private Result duplicate(Publication p, long started) {
        Result r = new Result(p.id(), true, 0, 0, 0, 0, 0);
        logResult(p, r, started, PublicationLedger.Claim.COMPLETED.name(), 0, 0);
        return r;
    }

    /** One encoding's frame; empty when the profile sends nothing for this event. */
    byte[] render(Publication p, Encoding e, Instant now) {
        String text = profiles.get(e.profile()).renderEvent(p, e.topic(), now);
        return text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
    }

    /** The targets with their shared frames; refuses the publication before anything is claimed or posted. */
    private List<Delivery.Target> targets(Publication p, Instant now, Map<String, List<Subscriber>> found) {
        Map<String, Encoding> encodingOf = match(p, found::get);
        Map<Encoding, byte[]> encoded = new HashMap<>();
        List<Delivery.Target> targets = new ArrayList<>(encodingOf.size());
        for (Map.Entry<String, Encoding> m : encodingOf.entrySet()) {
            byte[] frame = encoded.computeIfAbsent(m.getValue(), e -> render(p, e, now));
            if (frame.length > config.maxOutboundMessageBytes()) throw tooLarge(frame.length);
            if (frame.length > 0) targets.add(new Delivery.Target(m.getKey(), frame));
        }
        return targets;
    }

    /**
     * Posts, telling {@code delivered} each connection reached (what an incomplete attempt
     * records), then retries the 410s of connections still in their connect window (see
     * {@link ConnectWindow}) a few times. Those still refusing at the end are not reported gone
     * (they are not forgotten) but as retryable failures.
     */
    Delivery.Report deliver(List<Delivery.Target> targets, Instant now, Consumer<String> delivered) {
        return deliver(targets, now, delivered, Deadline.NONE);
    }

    /** As above, starting no post once {@code deadline} has passed (those not started are retryable failures). */
    Delivery.Report deliver(List<Delivery.Target> targets, Instant now, Consumer<String> delivered, Deadline deadline) {
        Delivery.Report first = delivery.deliver(targets, delivered, deadline);
        List<Delivery.Target> young = young(first.gone(), targets, now);
        if (young.isEmpty()) return first;
        Delivery.Report total = withoutGone(first, young);
        Instant at = now;
        for (int attempt = 1; attempt <= ConnectWindow.ATTEMPTS && !young.isEmpty() && !deadline.passed(); attempt++) {
            try {
                at = ConnectWindow.pause(delivery.sleeper(), attempt, at);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            Delivery.Report again = delivery.deliver(young, delivered, deadline);
            List<Delivery.Target> still = young(again.gone(), young, at);
            total = total.plus(withoutGone(again, still));
            young = still;
        }
        return total.plus(new Delivery.Report(0, List.of(), 0, young.size(), young.size()));
    }

    /** The targets among {@code gone} whose connection is stored and still in its connect window. */
    private List<Delivery.Target> young(List<String> gone, List<Delivery.Target> targets, Instant now) {
        if (gone.isEmpty()) return List.of();
        // batched reads (100 a call), side by side: thousands of them must not queue up
        Set<String> young = java.util.concurrent.ConcurrentHashMap.newKeySet();
        List<String> ids = List.copyOf(new java.util.LinkedHashSet<>(gone));
        int per = registry.connections().getAllLimit();
        List<List<String>> batches = new ArrayList<>();
        for (int i = 0; i < ids.size(); i += per) batches.add(ids.subList(i, Math.min(ids.size(), i + per)));
        // a batch whose read failed is not known to be past its window: not forgotten, retried as young
        delivery.forEach(batches, batch -> registry.connections().getAll(batch, now).stream()
                .filter(c -> ConnectWindow.young(c, now)).forEach(c -> young.add(c.id()))).forEach(young::addAll);
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
    void cleanUp(List<String> gone) {
        cleanUp(gone, Deadline.NONE);
    }

    /** As above, unless {@code deadline} has passed: then their next 410 or their TTL forgets them. */
    void cleanUp(List<String> gone, Deadline deadline) {
        if (gone.isEmpty()) return;
        if (deadline.passed()) {
            log.log(EventLog.line("cleanup_skipped").put("connections", gone.size()).put("why", "deadline"));
            return;
        }
        List<String> failed = registry.forgetAll(gone, delivery::forEach);
        if (!failed.isEmpty()) log.log(EventLog.line("cleanup_failed").put("connections", failed.size()));
    }

    /** Releases the publication's id, if it has one, after {@code e} stopped its fan-out. */
    private void releaseAfter(Publication p, Instant now, Throwable e) {
        if (p.id() != null) release(p.id(), now, e);
    }

    /** Gives up this attempt's claim (the one {@link #claim} took at {@code now}); a failure to is logged or added to {@code cause}. */
    void release(String id, Instant now, Throwable cause) {
        try {
            ledger.releaseClaim(id, now.plus(CLAIM_LIFETIME), now);
        } catch (RuntimeException e) {
            // the claim lapses after CLAIM_LIFETIME; the retry then takes it over
            if (cause != null) cause.addSuppressed(e);
            else log.log(EventLog.line("release_failed").put("publicationId", id).put("error", e.getMessage()));
        }
    }

    /** One rendering of a publication: every connection with the same profile and topic shares its bytes. */
    record Encoding(String profile, String topic) {}

    /** Connection id to the encoding of its first matching subscription, among each topic's candidates. */
    Map<String, Encoding> match(Publication p, Function<String, List<Subscriber>> candidatesOf) {
        Map<String, Encoding> out = new LinkedHashMap<>();
        for (String topic : p.topics()) {
            for (Subscriber s : candidatesOf.apply(topic)) {
                if (out.containsKey(s.connectionId())) continue; // once per connection, whatever matched
                if (!s.spec().pattern().matches(topic) || !s.spec().accepts(p)) continue;
                // exact subscriptions were authorized when made; wildcards are checked per topic
                if (!s.spec().pattern().isExact() && !policy.canRead(s.userId(), topic)) continue;
                out.put(s.connectionId(), new Encoding(s.profile(), topic));
            }
        }
        return out;
    }

    InvalidPublicationException tooLarge(int bytes) {
        return InvalidPublicationException.tooLarge(bytes, config.maxOutboundMessageBytes());
    }

    private void logResult(Publication p, Result r, long started, String ledgerState, double cleanupMs, int skipped) {
        ObjectNode line = EventLog.line("publish");
        line.put("publicationId", p.id()).put("type", p.type());
        if (ledgerState != null) line.put("ledger", ledgerState);
        p.topics().forEach(line.putArray("topics")::add);
        line.setAll((ObjectNode) r.toJson().without("id"));
        line.put("durationMs", (System.nanoTime() - started) / 1_000_000.0);
        if (r.gone() > 0) line.put("cleanupMs", cleanupMs);
        if (skipped > 0) line.put("skipped", skipped); // reached by an earlier attempt
        log.log(line);
    }
}
