package io.herald.dynamodb;

/**
 * Told the capacity each successful data-plane request consumed, per table, as DynamoDB would
 * bill it (what CloudWatch's ConsumedReadCapacityUnits and ConsumedWriteCapacityUnits add up).
 * Called on the request's thread after the operation, so it must be quick and must not throw.
 * Requests DynamoDB refuses (a failed condition, a validation error) are not reported.
 */
@FunctionalInterface
public interface CapacityListener {
    void consumed(String table, double readUnits, double writeUnits);
}
