package io.herald.core.service;

import io.herald.core.model.Connection;
import java.time.Duration;
import java.time.Instant;

/**
 * API Gateway answers 410 to a post for a connection whose $connect has not returned yet, although
 * it is about to open: its item (and its initial subscriptions) are written before $connect
 * returns. A 410 from a connection this young is retried shortly, never taken as "gone".
 */
final class ConnectWindow {
    static final Duration YOUNG = Duration.ofSeconds(10);
    /** Pauses of 100 ms doubling to 3.2 s: 6.3 s in all, well inside the window. */
    static final int ATTEMPTS = 6;

    private ConnectWindow() {}

    static boolean young(Connection c, Instant now) {
        return Duration.between(c.connectedAt(), now).compareTo(YOUNG) <= 0;
    }

    static long pauseMillis(int attempt) {
        return 50L << attempt;
    }
}
