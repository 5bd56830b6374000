package io.herald.core.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.core.delivery.ConnectionNotifier;
import io.herald.core.model.Connection;
import io.herald.testing.Fixture;
import io.herald.testing.InMemoryStores;
import io.herald.testing.Tokens;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The retries of a 410 from a connection whose $connect may not have returned yet. */
class ConnectWindowTest {
    /** Answers 410 to every post and counts them. */
    static final class AlwaysGone implements ConnectionNotifier {
        final AtomicInteger posts = new AtomicInteger();

        @Override
        public Outcome post(String connectionId, byte[] payload) {
            posts.incrementAndGet();
            return Outcome.GONE;
        }

        @Override
        public Outcome disconnect(String connectionId) {
            return Outcome.GONE;
        }
    }

    @Test
    void pauses_should_be_jittered_and_bounded_by_the_doubling_ceiling() {
        boolean varied = false;
        for (int retry = 1; retry <= ConnectWindow.ATTEMPTS; retry++) {
            long ceiling = 50L << retry; // 100 ms doubling to 3.2 s, as before the shared policy
            long first = ConnectWindow.RETRY.delayMillis(retry);
            for (int i = 0; i < 200; i++) {
                long d = ConnectWindow.RETRY.delayMillis(retry);
                assertTrue(d >= 0 && d <= ceiling, "retry " + retry + " slept " + d);
                varied |= d != first;
            }
        }
        assertTrue(varied, "full jitter: the pauses are not all alike");
    }

    @Test
    void welcome_to_a_young_connection_should_be_posted_the_window_s_attempts() throws Exception {
        AlwaysGone notifier = new AlwaysGone();
        Fixture herald = Fixture.inMemory(new InMemoryStores(), notifier, HeraldConfig.defaults());
        assertEquals(200, herald.connect("b1", "protocol", "booking", "eventId", "e1", "token", Tokens.forUser("u1")).status());
        Connection c = herald.connection("b1");

        herald.services.lifecycle.connected(c, c.connectedAt());

        assertEquals(ConnectWindow.ATTEMPTS, notifier.posts.get());
        assertTrue(herald.log.stream().anyMatch(l -> l.path("event").asText().equals("welcome_undelivered")));
    }

    /**
     * Issue 12: the lifecycle retry kept the one {@code now} it was called with across its sleeps,
     * so a connection at the edge of its connect window stayed "young" through all six retries.
     */
    @Test
    void regression_welcome_retries_kept_one_now_so_the_connection_never_aged() throws Exception {
        AlwaysGone notifier = new AlwaysGone();
        Fixture herald = Fixture.inMemory(new InMemoryStores(), notifier, HeraldConfig.defaults());
        assertEquals(200, herald.connect("b1", "protocol", "booking", "eventId", "e1", "token", Tokens.forUser("u1")).status());
        Connection c = herald.connection("b1");
        Instant edge = c.connectedAt().plus(ConnectWindow.YOUNG); // still young; any pause makes it old

        herald.services.lifecycle.connected(c, edge);

        // the pauses are random from 0 ms: all six of them 0 ms is a chance of about 1 in 10^13
        assertTrue(notifier.posts.get() < ConnectWindow.ATTEMPTS, "posts: " + notifier.posts.get());
    }
}
