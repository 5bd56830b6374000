package io.herald.core.fanout;

import java.time.Instant;
import java.util.Map;

/**
 * How many batches each encoding of a shard task is split into, fixed by the task's first run and
 * read back by every later run, so a connection lands in the same batch key however often the task
 * runs and whoever joined or left in between ({@link BatchAssignment}).
 */
public interface BatchPlans {
    /**
     * The counts of the shard task {@code shardTaskKey}: for each name already fixed, the count a
     * previous run fixed; for the others, the count {@code proposed}, fixed now. Atomic per name:
     * two runs at once get the same answer.
     *
     * @param expiresAt when the plan may be forgotten (set by the run that creates it)
     */
    Map<String, Integer> fix(String shardTaskKey, Map<String, Integer> proposed, Instant expiresAt);
}
