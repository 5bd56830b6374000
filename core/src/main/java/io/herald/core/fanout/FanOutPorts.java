package io.herald.core.fanout;

import io.herald.core.store.PublicationLedger;

/**
 * What a tree fan-out needs besides the inline ports: the task queue, the delivered sets, a
 * ledger of batch keys (claimed like publication ids, so a batch handed out twice runs once) and
 * the shard tasks' batch plans (so a batch key means the same connections on every run).
 * {@link #NONE}: no queue, every publication is fanned out inline, as before trees existed.
 */
public record FanOutPorts(FanOutQueue queue, DeliveredSets delivered, PublicationLedger batches, BatchPlans plans) {
    public static final FanOutPorts NONE = new FanOutPorts(null, null, null, null);

    public boolean enabled() {
        return queue != null;
    }
}
