package io.herald.core.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    static final class ScriptedNotifier implements ConnectionNotifier {
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
        public void disconnect(String id) {}
    }

    final List<Long> sleeps = Collections.synchronizedList(new ArrayList<>());

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
