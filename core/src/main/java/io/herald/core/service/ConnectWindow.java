package io.herald.core.service;

import io.herald.core.delivery.ConnectionNotifier;
import io.herald.core.delivery.Delivery;
import io.herald.core.delivery.RetryPolicy;
import io.herald.core.model.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * API Gateway answers 410 to a post for a connection whose $connect has not returned yet, although
 * it is about to open: its item (and its initial subscriptions) are written before $connect
 * returns. A 410 from a connection this young is retried shortly, never taken as "gone".
 */
final class ConnectWindow {
    static final Duration YOUNG = Duration.ofSeconds(10);
    /** Retries after the first 410. */
    static final int ATTEMPTS = 6;
    /** Pauses of up to 100 ms doubling to 3.2 s (6.3 s in all, well inside the window), jittered like every retry. */
    static final RetryPolicy RETRY = new RetryPolicy(1 + ATTEMPTS, Duration.ofMillis(100), Duration.ofMillis(3200));

    private ConnectWindow() {}

    /**
     * Runs {@code call} on a connection that may still be in $connect: while it answers 410 and the
     * connection is young (and {@code wanted} still holds at the moved-on time), again after the
     * window's pause, at most {@link #ATTEMPTS} calls. Returns the last outcome.
     */
    static ConnectionNotifier.Outcome retryWhileConnecting(Connection c, Instant now, Delivery.Sleeper sleeper,
            Supplier<ConnectionNotifier.Outcome> call, Predicate<Instant> wanted) throws InterruptedException {
        Instant at = now;
        for (int attempt = 1; ; attempt++) {
            ConnectionNotifier.Outcome o = call.get();
            if (o != ConnectionNotifier.Outcome.GONE || attempt == ATTEMPTS || !young(c, at) || !wanted.test(at)) return o;
            at = pause(sleeper, attempt, at);
        }
    }

    static boolean young(Connection c, Instant now) {
        return Duration.between(c.connectedAt(), now).compareTo(YOUNG) <= 0;
    }

    /**
     * Sleeps before retry {@code retry} (1-based) and returns {@code now} moved on by the pause, so
     * the next {@link #young} check sees the connection older (time stays passed in, not read here).
     */
    static Instant pause(Delivery.Sleeper sleeper, int retry, Instant now) throws InterruptedException {
        long millis = RETRY.delayMillis(retry);
        sleeper.sleep(millis);
        return now.plusMillis(millis);
    }
}
