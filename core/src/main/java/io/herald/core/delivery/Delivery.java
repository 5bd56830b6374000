package io.herald.core.delivery;

import io.herald.core.concurrent.DaemonThreads;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Posts messages concurrently, at most {@code concurrency} at once, retrying throttling and
 * server errors per the {@link RetryPolicy}. One instance per container: its threads are reused
 * across invocations (daemon threads, so a JVM never waits on them).
 *
 * <p>A batch always ends in a {@link Report}: a post that threw, or was cancelled because the
 * caller was interrupted, counts as a retryable failure of that target alone, so the connections
 * found gone are still reported and cleaned. Every permit taken is given back, also for tasks
 * cancelled before they started.
 */
public final class Delivery implements AutoCloseable {
    /** One message for one connection; payloads are shared between targets of the same encoding. */
    public record Target(String connectionId, byte[] payload) {}

    /**
     * What happened to a batch. {@code gone} lists connections that answered 410; {@code failed}
     * counts every target neither delivered nor gone, {@code retryable} those of them a later
     * attempt may still deliver (throttled or failing to the end, or never finished).
     */
    public record Report(int delivered, List<String> gone, int retried, int failed, int retryable) {
        public static final Report EMPTY = new Report(0, List.of(), 0, 0, 0);

        /** Both batches' counts; {@code gone} of both. */
        public Report plus(Report other) {
            List<String> g = new ArrayList<>(gone);
            g.addAll(other.gone);
            return new Report(delivered + other.delivered, Collections.unmodifiableList(g), retried + other.retried,
                    failed + other.failed, retryable + other.retryable);
        }
    }

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
    private final int concurrency;

    public Delivery(ConnectionNotifier notifier, RetryPolicy retry, int concurrency, Sleeper sleeper) {
        this(notifier, retry, concurrency, sleeper, Executors.newCachedThreadPool(DaemonThreads.numbered("herald-delivery")));
    }

    public Delivery(ConnectionNotifier notifier, RetryPolicy retry, int concurrency) {
        this(notifier, retry, concurrency, Thread::sleep);
    }

    /** With a given executor (tests: one that queues tasks, to cancel them before they start). */
    Delivery(ConnectionNotifier notifier, RetryPolicy retry, int concurrency, Sleeper sleeper, ExecutorService pool) {
        this.notifier = notifier;
        this.retry = retry;
        this.sleeper = sleeper;
        this.concurrency = concurrency;
        this.permits = new Semaphore(concurrency);
        this.pool = pool;
    }

    public ConnectionNotifier notifier() {
        return notifier;
    }

    public RetryPolicy retryPolicy() {
        return retry;
    }

    public Sleeper sleeper() {
        return sleeper;
    }

    /** The bound on work in flight; cleanup of gone connections uses the same. */
    public int concurrency() {
        return concurrency;
    }

    /** Permits not taken right now: {@code concurrency} whenever no batch is running. */
    int availablePermits() {
        return permits.availablePermits();
    }

    /**
     * Delivers every target; returns when all are settled. If the calling thread is interrupted,
     * unfinished posts are cancelled and counted as retryable failures, the interrupt flag is set
     * again, and the report of what did finish is returned.
     */
    public Report deliver(List<Target> targets) {
        return deliver(targets, id -> { }, Deadline.NONE);
    }

    /**
     * As {@link #deliver(List)}, telling {@code delivered} (from the delivery threads) each
     * connection the moment its post succeeded (what an incomplete attempt records, so its retry
     * skips them), and starting no post, nor another attempt of one, once {@code deadline} has
     * passed: the targets not reached count as retryable failures, and the attempts under way finish.
     */
    public Report deliver(List<Target> targets, java.util.function.Consumer<String> delivered, Deadline deadline) {
        if (targets.isEmpty()) return Report.EMPTY;
        if (targets.size() == 1 && !deadline.passed()) return fold(List.of(send(targets.get(0), delivered, deadline)));
        List<FutureTask<Result>> tasks = new ArrayList<>(targets.size());
        boolean interrupted = false;
        try {
            for (Target t : targets) {
                permits.acquire(); // bounds in-flight posts; the pool itself stays small in practice
                if (deadline.passed()) {
                    permits.release();
                    break;
                }
                FutureTask<Result> task = bounded(() -> send(t, delivered, deadline));
                tasks.add(task);
                try {
                    pool.execute(task);
                } catch (RejectedExecutionException closed) {
                    task.cancel(false);
                    task.run(); // a cancelled task's run only gives its permit back
                }
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        List<Result> results = new ArrayList<>(targets.size());
        for (int i = 0; i < targets.size(); i++) {
            String id = targets.get(i).connectionId();
            if (i >= tasks.size()) {
                results.add(new Result(id, ConnectionNotifier.Outcome.RETRYABLE, 0)); // never started
                continue;
            }
            FutureTask<Result> task = tasks.get(i);
            while (true) {
                if (interrupted) task.cancel(true);
                try {
                    results.add(task.get());
                } catch (InterruptedException e) {
                    interrupted = true;
                    continue;
                } catch (CancellationException | ExecutionException e) {
                    results.add(new Result(id, ConnectionNotifier.Outcome.RETRYABLE, 0));
                }
                break;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        return fold(results);
    }

    /**
     * Runs {@code action} for every item on the delivery threads, at most {@code concurrency} at
     * once (cleanup of gone connections: one DynamoDB round trip after another per connection, so
     * thousands in a row would outlast the function timeout). Returns the items whose action threw
     * or did not finish (interrupted), in order.
     */
    public <T> List<T> forEach(List<T> items, java.util.function.Consumer<T> action) {
        List<FutureTask<Void>> tasks = new ArrayList<>(items.size());
        boolean interrupted = false;
        try {
            for (T item : items) {
                permits.acquire();
                FutureTask<Void> task = bounded(() -> {
                    action.accept(item);
                    return null;
                });
                tasks.add(task);
                try {
                    pool.execute(task);
                } catch (RejectedExecutionException closed) {
                    task.cancel(false);
                    task.run();
                }
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        List<T> failed = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            if (i >= tasks.size()) {
                failed.add(items.get(i));
                continue;
            }
            while (true) {
                if (interrupted) tasks.get(i).cancel(true);
                try {
                    tasks.get(i).get();
                } catch (InterruptedException e) {
                    interrupted = true;
                    continue;
                } catch (CancellationException | ExecutionException e) {
                    failed.add(items.get(i));
                }
                break;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        return failed;
    }

    /** Work whose permit is given back exactly once: when it ends, or when it is cancelled before it starts. */
    private <R> FutureTask<R> bounded(java.util.concurrent.Callable<R> body) {
        AtomicBoolean held = new AtomicBoolean(true);
        Runnable giveBack = () -> {
            if (held.getAndSet(false)) permits.release();
        };
        return new FutureTask<>(() -> {
            try {
                return body.call();
            } finally {
                giveBack.run();
            }
        }) {
            @Override
            public void run() {
                super.run(); // does not call the body when already cancelled
                giveBack.run();
            }
        };
    }

    /** Posts one message with retries; used for replies to the sender too. */
    public ConnectionNotifier.Outcome sendOne(String connectionId, byte[] payload) {
        return send(new Target(connectionId, payload)).outcome;
    }

    /**
     * Closes a connection, retrying throttling and server errors like a post. True when it is
     * closed (now or before); false when the Management API kept refusing.
     */
    public boolean disconnect(String connectionId) {
        ConnectionNotifier.Outcome o = disconnectOne(connectionId);
        return o == ConnectionNotifier.Outcome.DELIVERED || o == ConnectionNotifier.Outcome.GONE;
    }

    /** As {@link #disconnect}, telling a close (DELIVERED) from a 410 (GONE), for a connection that may still be in $connect. */
    public ConnectionNotifier.Outcome disconnectOne(String connectionId) {
        return withRetries(() -> notifier.disconnect(connectionId), Deadline.NONE).outcome;
    }

    private record Result(String connectionId, ConnectionNotifier.Outcome outcome, int retries) {}

    private Result send(Target t) {
        return send(t, id -> { }, Deadline.NONE);
    }

    private Result send(Target t, java.util.function.Consumer<String> delivered, Deadline deadline) {
        Result r = withRetries(() -> notifier.post(t.connectionId(), t.payload()), deadline);
        if (r.outcome == ConnectionNotifier.Outcome.DELIVERED) delivered.accept(t.connectionId());
        return new Result(t.connectionId(), r.outcome, r.retries);
    }

    private Result withRetries(java.util.function.Supplier<ConnectionNotifier.Outcome> call, Deadline deadline) {
        int attempt = 1;
        while (true) {
            ConnectionNotifier.Outcome o;
            try {
                o = call.get();
            } catch (RuntimeException broken) {
                o = ConnectionNotifier.Outcome.RETRYABLE; // the port promises not to throw; no answer is retryable
            }
            if (o != ConnectionNotifier.Outcome.RETRYABLE || attempt >= retry.maxAttempts() || deadline.passed()) {
                return new Result(null, o, attempt - 1);
            }
            try {
                sleeper.sleep(retry.delayMillis(attempt));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Result(null, o, attempt - 1);
            }
            if (deadline.passed()) return new Result(null, o, attempt - 1); // it passed during the pause
            attempt++;
        }
    }

    private static Report fold(List<Result> results) {
        int delivered = 0, retried = 0, failed = 0, retryable = 0;
        List<String> gone = new ArrayList<>();
        for (Result r : results) {
            retried += r.retries;
            switch (r.outcome) {
                case DELIVERED -> delivered++;
                case GONE -> gone.add(r.connectionId);
                case RETRYABLE -> {
                    failed++;
                    retryable++;
                }
                default -> failed++;
            }
        }
        return new Report(delivered, Collections.unmodifiableList(gone), retried, failed, retryable);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
