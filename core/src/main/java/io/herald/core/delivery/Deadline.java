package io.herald.core.delivery;

import java.time.Duration;

/**
 * How long an invocation may still start work: Lambda ends it at its timeout whatever it is doing,
 * and work cut off unrecorded is done again by the retry. Whoever watches a deadline stops starting
 * posts (or records) once it has passed and hands back what it did not start.
 */
@FunctionalInterface
public interface Deadline {
    /** No deadline: tests, and calls that end long before any timeout. */
    Deadline NONE = () -> Long.MAX_VALUE;

    /** Milliseconds left to start more work; zero or less: stop starting. */
    long remainingMillis();

    default boolean passed() {
        return remainingMillis() <= 0;
    }

    /** The same deadline, {@code reserve} earlier: the time kept back to finish and record what is under way. */
    default Deadline minus(Duration reserve) {
        Deadline self = this;
        return () -> {
            long left = self.remainingMillis();
            return left == Long.MAX_VALUE ? left : left - reserve.toMillis();
        };
    }
}
