package io.herald.core.fanout;

import io.herald.core.store.PublicationLedger;

/**
 * What a tree fan-out needs besides the inline ports: the task queue, the delivered sets, a
 * ledger of batch keys (claimed like publication ids, so a batch handed out twice runs once) and
 * the shard tasks' batch plans (so a batch key means the same connections on every run). The
 * delivered sets serve the inline fan-out too: a retried publication skips whom it reached.
 * {@link #NONE}: no queue and no delivered sets, every publication inline and a retry posts to all.
 */
public record FanOutPorts(FanOutQueue queue, DeliveredSets delivered, PublicationLedger batches, BatchPlans plans) {
    public static final FanOutPorts NONE = new FanOutPorts(null, null, null, null);

    /** No queue (every publication inline), with delivered sets for the retries of inline publications. */
    public static FanOutPorts inlineOnly(DeliveredSets delivered) {
        return new FanOutPorts(null, delivered, null, null);
    }

    public boolean enabled() {
        return queue != null;
    }
}
