package io.herald.core.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DeliveryTest {
    /** Answers from a script per connection; counts concurrent posts. */
    static class ScriptedNotifier implements ConnectionNotifier {
        final Map<String, List<Outcome>> script = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();

        @Override
        public Outcome post(String id, byte[] payload) {
            int now = inFlight.incrementAndGet();
            maxInFlight.accumulateAndGet(now, Math::max);
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inFlight.decrementAndGet();
            int n = calls.computeIfAbsent(id, k -> new AtomicInteger()).getAndIncrement();
            List<Outcome> s = script.getOrDefault(id, List.of(Outcome.DELIVERED));
            return s.get(Math.min(n, s.size() - 1));
        }

        @Override
        public Outcome disconnect(String id) {
            return Outcome.DELIVERED;
        }
    }

    final List<Long> sleeps = Collections.synchronizedList(new ArrayList<>());

    @Test
    void deliver_should_start_no_post_once_the_deadline_has_passed_and_count_the_rest_retryable() {
        ScriptedNotifier n = new ScriptedNotifier();
        Delivery d = new Delivery(n, RetryPolicy.DEFAULT, 4, sleeps::add);
        List<Delivery.Target> targets = new ArrayList<>();
        for (int i = 0; i < 20; i++) targets.add(new Delivery.Target("c" + i, "x".getBytes()));
        AtomicInteger checks = new AtomicInteger();
        Deadline passesAfterSeven = () -> checks.incrementAndGet() <= 7 ? 1_000 : 0;
        List<String> reached = Collections.synchronizedList(new ArrayList<>());

        Delivery.Report r = d.deliver(targets, reached::add, passesAfterSeven);

        assertEquals(7, r.delivered(), "the posts started before it passed finish");
        assertEquals(13, r.failed());
        assertEquals(13, r.retryable(), "the rest is the retry's");
        assertEquals(7, reached.size());
        assertEquals(7, n.calls.size(), "nothing posted after the deadline");
        assertEquals(4, d.availablePermits(), "every permit back");
        assertEquals(0, d.deliver(List.of(targets.get(0)), id -> { }, () -> 0).delivered(), "a single target too");
    }

    @Test
    void a_post_under_way_should_start_no_further_attempt_once_the_deadline_has_passed() {
        ScriptedNotifier n = new ScriptedNotifier();
        n.script.put("throttled", List.of(ConnectionNotifier.Outcome.RETRYABLE));
        Delivery d = new Delivery(n, RetryPolicy.DEFAULT, 4, sleeps::add);
        AtomicInteger checks = new AtomicInteger();
        Deadline passesAfterTheFirstAttempt = () -> checks.incrementAndGet() <= 1 ? 1_000 : 0;
        Delivery.Report r = d.deliver(List.of(new Delivery.Target("throttled", "x".getBytes())), id -> { }, passesAfterTheFirstAttempt);
        assertEquals(1, n.calls.get("throttled").get(), "one attempt, not four: the next could outlast the timeout");
        assertEquals(1, r.retryable());
        assertTrue(sleeps.isEmpty());
    }

    @Test
    void a_deadline_minus_its_reserve_should_pass_that_much_earlier_and_none_never() {
        Deadline tenSeconds = () -> 10_000;
        assertEquals(5_000, tenSeconds.minus(Duration.ofSeconds(5)).remainingMillis());
        assertTrue(tenSeconds.minus(Duration.ofSeconds(10)).passed());
        assertFalse(Deadline.NONE.minus(Duration.ofDays(1)).passed());
    }

    @Test
    void deliver_should_retry_throttling_then_succeed_and_report_gone() {
        ScriptedNotifier n = new ScriptedNotifier();
        n.script.put("throttled", List.of(ConnectionNotifier.Outcome.RETRYABLE, ConnectionNotifier.Outcome.RETRYABLE,
                ConnectionNotifier.Outcome.DELIVERED));
        n.script.put("gone", List.of(ConnectionNotifier.Outcome.GONE));
        n.script.put("bad", List.of(ConnectionNotifier.Outcome.REJECTED));
        Delivery d = new Delivery(n, RetryPolicy.DEFAULT, 4, sleeps::add);
        byte[] p = "x".getBytes();
        Delivery.Report r = d.deliver(List.of(new Delivery.Target("ok", p), new Delivery.Target("throttled", p),
                new Delivery.Target("gone", p), new Delivery.Target("bad", p)));
        assertEquals(2, r.delivered());
        assertEquals(List.of("gone"), r.gone());
        assertEquals(2, r.retried());
        assertEquals(1, r.failed());
        assertEquals(3, n.calls.get("throttled").get());
        assertEquals(1, n.calls.get("gone").get(), "410 is final, never retried");
        assertEquals(1, n.calls.get("bad").get(), "4xx other than 429 is final");
    }

    @Test
    void deliver_should_give_up_after_max_attempts() {
        ScriptedNotifier n = new ScriptedNotifier();
        n.script.put("busy", List.of(ConnectionNotifier.Outcome.RETRYABLE));
        Delivery d = new Delivery(n, new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(100)), 4, sleeps::add);
        Delivery.Report r = d.deliver(List.of(new Delivery.Target("busy", new byte[1])));
        assertEquals(3, n.calls.get("busy").get());
        assertEquals(1, r.failed());
        assertEquals(2, sleeps.size());
    }

    @Test
    void deliver_should_never_exceed_the_concurrency_bound() {
        ScriptedNotifier n = new ScriptedNotifier();
        Delivery d = new Delivery(n, RetryPolicy.DEFAULT, 3, sleeps::add);
        List<Delivery.Target> ts = new ArrayList<>();
        for (int i = 0; i < 60; i++) ts.add(new Delivery.Target("c" + i, new byte[1]));
        assertEquals(60, d.deliver(ts).delivered());
        assertTrue(n.maxInFlight.get() <= 3, "max in flight " + n.maxInFlight.get());
    }

    /**
     * Blocks posts to "slow…" until released or interrupted, and posts to "stubborn…" until
     * released whatever happens; answers GONE for "gone"; throws for "broken".
     */
    static final class BlockingNotifier implements ConnectionNotifier {
        final java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);

        @Override
        public Outcome post(String id, byte[] payload) {
            if (id.equals("gone")) return Outcome.GONE;
            if (id.equals("broken")) throw new IllegalStateException("a notifier that breaks its promise");
            if (id.startsWith("stubborn")) {
                started.countDown();
                boolean interrupted = false;
                while (release.getCount() > 0) {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        interrupted = true; // keeps the worker until the test says so
                    }
                }
                if (interrupted) Thread.currentThread().interrupt();
                return Outcome.RETRYABLE;
            }
            if (id.startsWith("slow")) {
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Outcome.RETRYABLE;
                }
            }
            return Outcome.DELIVERED;
        }

        @Override
        public Outcome disconnect(String id) {
            return Outcome.DELIVERED;
        }
    }

    @Test
    void an_interrupted_deliver_should_give_back_the_permits_of_tasks_cancelled_before_they_started() throws Exception {
        // one worker thread: the first post holds it until the caller has ended (an interrupt does
        // not free it: else the worker could take the next post before the caller cancels it), the
        // other three wait in its queue, so the interrupt cancels them before they start
        java.util.concurrent.ExecutorService oneThread = java.util.concurrent.Executors.newSingleThreadExecutor();
        BlockingNotifier n = new BlockingNotifier();
        Delivery d = new Delivery(n, RetryPolicy.DEFAULT, 4, sleeps::add, oneThread);
        List<Delivery.Target> ts = List.of(new Delivery.Target("stubborn-1", new byte[1]), new Delivery.Target("a", new byte[1]),
                new Delivery.Target("b", new byte[1]), new Delivery.Target("c", new byte[1]));
        java.util.concurrent.atomic.AtomicReference<Delivery.Report> report = new java.util.concurrent.atomic.AtomicReference<>();
        Thread caller = new Thread(() -> report.set(d.deliver(ts)));
        caller.start();
        n.started.await();
        caller.interrupt();
        caller.join(30_000);
        assertFalse(caller.isAlive(), "deliver returned after the interrupt");
        n.release.countDown();
        oneThread.submit(() -> { }).get(); // the worker has drained its queue
        assertEquals(4, d.availablePermits(), "every permit is back");
        assertEquals(4, report.get().failed());
        assertEquals(4, report.get().retryable(), "unfinished posts may be retried");
        oneThread.shutdownNow();
    }

    @Test
    void an_interrupted_deliver_should_still_report_the_connections_found_gone() throws Exception {
        BlockingNotifier n = new BlockingNotifier();
        // one worker: "gone" has been answered and settled before "slow-1" starts
        java.util.concurrent.ExecutorService oneThread = java.util.concurrent.Executors.newSingleThreadExecutor();
        Delivery d = new Delivery(n, RetryPolicy.DEFAULT, 4, sleeps::add, oneThread);
        java.util.concurrent.atomic.AtomicReference<Delivery.Report> report = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean flagKept = new java.util.concurrent.atomic.AtomicBoolean();
        Thread caller = new Thread(() -> {
            report.set(d.deliver(List.of(new Delivery.Target("gone", new byte[1]), new Delivery.Target("slow-1", new byte[1]))));
            flagKept.set(Thread.currentThread().isInterrupted());
        });
        caller.start();
        n.started.await();
        caller.interrupt();
        caller.join(30_000);
        assertFalse(caller.isAlive(), "deliver returned after the interrupt");
        assertEquals(List.of("gone"), report.get().gone());
        assertEquals(1, report.get().retryable());
        assertTrue(flagKept.get(), "the interrupt is not swallowed");
        // the cancelled post gives its permit back when it returns, just after the report
        for (int i = 0; i < 500 && d.availablePermits() < 4; i++) Thread.sleep(10);
        assertEquals(4, d.availablePermits());
        oneThread.shutdownNow();
    }

    @Test
    void a_post_that_throws_should_fail_alone_and_keep_the_report() {
        BlockingNotifier n = new BlockingNotifier();
        Delivery d = new Delivery(n, new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(1)), 4, sleeps::add);
        Delivery.Report r = d.deliver(List.of(new Delivery.Target("gone", new byte[1]), new Delivery.Target("broken", new byte[1]),
                new Delivery.Target("ok", new byte[1])));
        assertEquals(List.of("gone"), r.gone());
        assertEquals(1, r.delivered());
        assertEquals(1, r.retryable());
    }

    @Test
    void disconnect_should_retry_throttling_and_say_whether_it_closed() {
        ScriptedNotifier n = new ScriptedNotifier() {
            final AtomicInteger deletes = new AtomicInteger();

            @Override
            public Outcome disconnect(String id) {
                int k = deletes.getAndIncrement();
                if (id.equals("stuck")) return Outcome.RETRYABLE;
                return k < 2 ? Outcome.RETRYABLE : Outcome.DELIVERED;
            }
        };
        Delivery d = new Delivery(n, RetryPolicy.DEFAULT, 4, sleeps::add);
        assertTrue(d.disconnect("c1"), "closed on the third attempt");
        assertEquals(2, sleeps.size(), "with a jittered sleep before each retry");
        assertEquals(false, d.disconnect("stuck"));
    }

    @Test
    void delayMillis_should_be_jittered_below_an_exponential_cap() {
        RetryPolicy p = new RetryPolicy(5, Duration.ofMillis(50), Duration.ofMillis(400));
        for (int i = 0; i < 200; i++) {
            assertTrue(p.delayMillis(1) <= 50);
            assertTrue(p.delayMillis(2) <= 100);
            assertTrue(p.delayMillis(10) <= 400);
        }
        long distinct = java.util.stream.IntStream.range(0, 50).mapToLong(i -> p.delayMillis(3)).distinct().count();
        assertTrue(distinct > 5, "jitter should spread retries");
    }
}
