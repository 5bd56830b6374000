package io.herald.core.delivery;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.ExecutionException;

/**
 * Posts messages concurrently, at most {@code concurrency} at once, retrying throttling and
 * server errors per the {@link RetryPolicy}. One instance per container: its threads are reused
 * across invocations (daemon threads, so a JVM never waits on them).
 */
public final class Delivery implements AutoCloseable {
    /** One message for one connection; payloads are shared between targets of the same encoding. */
    public record Target(String connectionId, byte[] payload) {}

    /** What happened to a batch. {@code gone} lists connections that answered 410. */
    public record Report(int delivered, List<String> gone, int retried, int failed) {}

    /** Sleeping is a port so tests of backoff do not wait. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(long millis) throws InterruptedException;
    }

    private final ConnectionNotifier notifier;
    private final RetryPolicy retry;
    private final Sleeper sleeper;
    private final ExecutorService pool;
    private final Semaphore permits;

    public Delivery(ConnectionNotifier notifier, RetryPolicy retry, int concurrency, Sleeper sleeper) {
        this.notifier = notifier;
        this.retry = retry;
        this.sleeper = sleeper;
        this.permits = new Semaphore(concurrency);
        AtomicInteger n = new AtomicInteger();
        ThreadFactory tf = r -> {
            Thread t = new Thread(r, "herald-delivery-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.pool = Executors.newCachedThreadPool(tf);
    }

    public Delivery(ConnectionNotifier notifier, RetryPolicy retry, int concurrency) {
        this(notifier, retry, concurrency, Thread::sleep);
    }

    public ConnectionNotifier notifier() {
        return notifier;
    }

    /** Delivers every target; returns when all are settled. */
    public Report deliver(List<Target> targets) {
        if (targets.isEmpty()) return new Report(0, List.of(), 0, 0);
        if (targets.size() == 1) return fold(List.of(send(targets.get(0))));
        List<Future<Result>> futures = new ArrayList<>(targets.size());
        try {
            for (Target t : targets) {
                permits.acquire(); // bounds in-flight posts; the pool itself stays small in practice
                futures.add(pool.submit(() -> {
                    try {
                        return send(t);
                    } finally {
                        permits.release();
                    }
                }));
            }
            List<Result> results = new ArrayList<>(futures.size());
            for (Future<Result> f : futures) results.add(f.get());
            return fold(results);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            futures.forEach(f -> f.cancel(true));
            throw new IllegalStateException("delivery interrupted", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("delivery task failed", e.getCause());
        }
    }

    /** Posts one message with retries; used for replies to the sender too. */
    public ConnectionNotifier.Outcome sendOne(String connectionId, byte[] payload) {
        return send(new Target(connectionId, payload)).outcome;
    }

    private record Result(String connectionId, ConnectionNotifier.Outcome outcome, int retries) {}

    private Result send(Target t) {
        int attempt = 1;
        while (true) {
            ConnectionNotifier.Outcome o = notifier.post(t.connectionId(), t.payload());
            if (o != ConnectionNotifier.Outcome.RETRYABLE || attempt >= retry.maxAttempts()) {
                return new Result(t.connectionId(), o, attempt - 1);
            }
            try {
                sleeper.sleep(retry.delayMillis(attempt));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Result(t.connectionId(), o, attempt - 1);
            }
            attempt++;
        }
    }

    private static Report fold(List<Result> results) {
        int delivered = 0, retried = 0, failed = 0;
        List<String> gone = new ArrayList<>();
        for (Result r : results) {
            retried += r.retries;
            switch (r.outcome) {
                case DELIVERED -> delivered++;
                case GONE -> gone.add(r.connectionId);
                default -> failed++;
            }
        }
        return new Report(delivered, Collections.unmodifiableList(gone), retried, failed);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
