package io.herald.aws.dynamodb;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.TransactionConflictException;

/**
 * Retries a write that lost to a concurrent transaction on the same items. DynamoDB refuses a plain
 * write to an item a transaction holds (TransactionConflictException) and cancels a transaction
 * that meets another (reason TransactionConflict) or its partition's limit (ThrottlingError); the
 * SDK retries none of these. Full jitter on a doubling cap, so racing writers spread out; bounded.
 */
final class Conflicts {
    static final int ATTEMPTS = 6;

    private Conflicts() {}

    static <T> T retrying(Supplier<T> write) {
        for (int attempt = 1; ; attempt++) {
            try {
                return write.get();
            } catch (TransactionConflictException e) {
                if (attempt >= ATTEMPTS) throw e;
            } catch (TransactionCanceledException e) {
                if (!lostARace(e) || attempt >= ATTEMPTS) throw e;
            }
            jitter(attempt);
        }
    }

    /** Whether a cancellation came from another transaction or throttling, not from a condition or a bad request. */
    static boolean lostARace(TransactionCanceledException e) {
        return e.hasCancellationReasons() && e.cancellationReasons().stream()
                .anyMatch(r -> "TransactionConflict".equals(r.code()) || "ThrottlingError".equals(r.code()));
    }

    static void jitter(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(1, Math.min(500, 10L << attempt) + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
