package io.herald.core.service;

import io.herald.core.delivery.Deadline;
import io.herald.core.delivery.Delivery;
import io.herald.core.fanout.BatchAssignment;
import io.herald.core.fanout.FanOutPorts;
import io.herald.core.fanout.FanOutTask;
import io.herald.core.log.EventLog;
import io.herald.core.store.PublicationLedger;
import io.herald.core.store.SubscriptionStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The worker side of a tree fan-out. A {@link FanOutTask.Shard} is read, matched and encoded as
 * the inline fan-out does it, then split into {@link FanOutTask.Batch}es of connections sharing one
 * frame: batch {@code hash(id) mod n} ({@link BatchAssignment}), {@code n} fixed by the task's first
 * run so that about {@code fanOutBatchSize} share a batch, and kept for its later runs
 * ({@link io.herald.core.fanout.BatchPlans}). A batch is posted with the inline fan-out's delivery
 * (bounded, 429/5xx retried with backoff, 410 forgotten).
 *
 * <p>Once per connection per publication, despite retries: a batch key stands for the same
 * connections on every run of its shard task (but for those that joined or left in between). It
 * is claimed in the batch ledger like a publication id (a batch handed out twice, or retried while
 * another worker holds it, is not posted twice) and completed when every connection was reached
 * or found gone. When
 * some are not, the ones reached are recorded in the batch's delivered set, the claim is released
 * and the task fails ({@link FanOutIncompleteException}); its retry posts to the rest only. What
 * remains at least once: a worker that dies between a post and that record (a crash or the
 * function timeout mid-batch) repeats the batch's posts on retry.
 */
public final class FanOutService {
    /** Backoff of a failed task before its retry: grows with the task's receive count, up to the cap. */
    static final Duration RETRY_BASE = Duration.ofSeconds(1), RETRY_CAP = Duration.ofMinutes(2);

    private final PublishService publisher;
    private final SubscriptionStore subscriptions;
    private final FanOutPorts tree;
    private final HeraldConfig config;
    private final EventLog log;

    public FanOutService(PublishService publisher, SubscriptionStore subscriptions, FanOutPorts tree, HeraldConfig config,
            EventLog log) {
        this.publisher = publisher;
        this.subscriptions = subscriptions;
        this.tree = tree;
        this.config = config;
        this.log = log;
    }

    /**
     * Runs one task.
     *
     * @throws RetryablePublicationException when the task must be retried (some connections not
     *     reached, or another worker holds the batch); anything else thrown also fails the task
     */
    public void handle(FanOutTask task, Instant now) {
        handle(task, now, Deadline.NONE);
    }

    /**
     * As above; a batch starts no post once {@code deadline} has passed, and ends incomplete (what
     * it reached recorded, the rest for its retry) rather than be cut off unrecorded by the timeout.
     */
    public void handle(FanOutTask task, Instant now, Deadline deadline) {
        if (!tree.enabled()) throw new IllegalStateException("fan-out task received, but no fan-out queue is configured");
        if (task instanceof FanOutTask.Shard s) shard(s, now);
        else if (task instanceof FanOutTask.Batch b) batch(b, now, deadline);
    }

    /** Makes a task the worker had no time to start visible again at once, for another worker. */
    public void retryNow(String handle) {
        if (tree.enabled() && handle != null) tree.queue().retryAfter(handle, Duration.ZERO);
    }

    /**
     * How long a failed task stays out of sight before its retry: equal jitter over
     * {@code base * 2^(receiveCount-1)}, capped. Throttling therefore slows the tree down, and the
     * queue's redrive count bounds how long it keeps trying before the dead-letter queue.
     */
    public static Duration retryDelay(int receiveCount) {
        long ceiling = Math.min(RETRY_CAP.toMillis(), RETRY_BASE.toMillis() << Math.min(Math.max(receiveCount, 1) - 1, 20));
        return Duration.ofMillis(ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1));
    }

    /** Keeps a failed task out of sight for {@link #retryDelay} of its receive count; best-effort. */
    public void retryLater(String handle, int receiveCount) {
        if (tree.enabled() && handle != null) tree.queue().retryAfter(handle, retryDelay(receiveCount));
    }

    private void shard(FanOutTask.Shard task, Instant now) {
        Map<String, PublishService.Encoding> encodingOf =
                publisher.match(task.publication(), topic -> subscriptions.candidates(topic, task.shard(), now));
        Map<String, List<String>> idsOf = new LinkedHashMap<>();
        Map<String, byte[]> frameOf = new LinkedHashMap<>();
        for (Map.Entry<String, PublishService.Encoding> m : encodingOf.entrySet()) {
            String name = m.getValue().profile() + "#" + m.getValue().topic();
            if (!frameOf.containsKey(name)) {
                byte[] frame = publisher.render(task.publication(), m.getValue(), now);
                if (frame.length > config.maxOutboundMessageBytes()) throw publisher.tooLarge(frame.length); // checked at publish
                frameOf.put(name, frame);
            }
            if (frameOf.get(name).length > 0) idsOf.computeIfAbsent(name, x -> new ArrayList<>()).add(m.getKey());
        }
        // the batch count of each encoding is the first run's, so every run puts a connection in the same batch
        Map<String, Integer> proposed = new LinkedHashMap<>();
        idsOf.forEach((name, ids) -> proposed.put(name, BatchAssignment.batchCount(ids.size(), config.fanOutBatchSize())));
        Map<String, Integer> plan = proposed.isEmpty() ? Map.of()
                : tree.plans().fix(task.publicationId() + "#" + task.shard(), proposed, now.plus(config.dedupWindow()));
        List<FanOutTask> batches = new ArrayList<>();
        idsOf.forEach((name, ids) -> {
            String prefix = task.publicationId() + "#" + task.shard() + "#" + name + "#";
            byte[] frame = frameOf.get(name);
            BatchAssignment.split(ids, plan.getOrDefault(name, 0),
                    (suffix, chunk) -> FanOutTask.fits(new FanOutTask.Batch(task.publicationId(), prefix + suffix, frame, chunk)))
                    .forEach((suffix, chunk) -> batches.add(new FanOutTask.Batch(task.publicationId(), prefix + suffix, frame, chunk)));
        });
        if (!batches.isEmpty()) tree.queue().enqueue(batches);
        log.log(EventLog.line("fanout_shard").put("publicationId", task.publicationId()).put("shard", task.shard())
                .put("matched", encodingOf.size()).put("batches", batches.size()));
    }

    private void batch(FanOutTask.Batch task, Instant now, Deadline deadline) {
        long started = System.nanoTime();
        Instant heldUntil = now.plus(PublishService.CLAIM_LIFETIME);
        PublicationLedger.Claim claim = tree.batches().claim(task.key(), now, heldUntil);
        if (claim == PublicationLedger.Claim.COMPLETED) {
            log.log(EventLog.line("fanout_batch").put("key", task.key()).put("ledger", "COMPLETED"));
            return;
        }
        if (claim == PublicationLedger.Claim.IN_PROGRESS) throw new PublicationInProgressException(task.key());
        PublishService.Result r;
        try {
            // read on every run, not only after a RECLAIMED claim: a batch released before released ids
            // were kept, or whose released item's TTL passed, is still skipped (one read per batch)
            Set<String> before = tree.delivered().delivered(task.key());
            Set<String> ids = new HashSet<>(task.connectionIds());
            List<Delivery.Target> targets = new ArrayList<>();
            for (String id : ids) {
                if (!before.contains(id)) targets.add(new Delivery.Target(id, task.frame()));
            }
            int skipped = ids.size() - targets.size();
            Set<String> reached = ConcurrentHashMap.newKeySet();
            Delivery.Report report = publisher.deliver(targets, now, reached::add, deadline);
            boolean incomplete = PublishService.incomplete(targets.size(), report);
            // the record before the cleanup, which must not outlast the timeout with it unwritten; only an
            // incomplete batch needs one: a completed one is skipped by its claim
            if (incomplete && !reached.isEmpty()) tree.delivered().record(task.key(), reached, now.plus(config.dedupWindow()));
            publisher.cleanUp(report.gone(), deadline);
            r = new PublishService.Result(task.publicationId(), false, ids.size(), skipped + report.delivered(),
                    report.gone().size(), report.retried(), report.failed());
            com.fasterxml.jackson.databind.node.ObjectNode line = EventLog.line("fanout_batch").put("key", task.key())
                    .put("skipped", skipped);
            line.setAll((com.fasterxml.jackson.databind.node.ObjectNode) r.toJson().without("id"));
            log.log(line.put("durationMs", (System.nanoTime() - started) / 1_000_000.0));
            if (incomplete) {
                tree.batches().releaseClaim(task.key(), heldUntil, now);
                throw new FanOutIncompleteException(task.publicationId(), r);
            }
        } catch (FanOutIncompleteException e) {
            throw e;
        } catch (RuntimeException | Error e) {
            try {
                tree.batches().releaseClaim(task.key(), heldUntil, now);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed); // the claim lapses after CLAIM_LIFETIME
            }
            throw e;
        }
        tree.batches().complete(task.key(), now);
    }
}
