package io.herald.local.metrics;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.json.Json;
import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * One function's Lambda metrics: Invocations, Errors, Throttles (a throttled request is neither
 * an invocation nor an error, as in CloudWatch), and Duration percentiles over the most recent
 * {@value #WINDOW} invocations (CloudWatch's are per period; a window of recent calls is what a
 * live view needs).
 */
public final class FunctionMetrics {
    static final int WINDOW = 2048;
    private final LongAdder invocations = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder throttles = new LongAdder();
    private final double[] recentMs = new double[WINDOW];
    private long recorded;

    /** One invocation that ran for {@code nanos}; {@code failed} when the handler threw. */
    public void invoked(long nanos, boolean failed) {
        invocations.increment();
        if (failed) errors.increment();
        synchronized (recentMs) {
            recentMs[(int) (recorded++ % WINDOW)] = nanos / 1e6;
        }
    }

    public void throttled() {
        throttles.increment();
    }

    public long invocations() {
        return invocations.sum();
    }

    ObjectNode json() {
        double[] sorted;
        synchronized (recentMs) {
            sorted = Arrays.copyOf(recentMs, (int) Math.min(recorded, WINDOW));
        }
        Arrays.sort(sorted);
        ObjectNode o = Json.object().put("invocations", invocations.sum()).put("errors", errors.sum())
                .put("throttles", throttles.sum());
        ObjectNode d = o.putObject("durationMs");
        if (sorted.length == 0) {
            d.putNull("p50").putNull("p99");
        } else {
            d.put("p50", round(percentile(sorted, 50))).put("p99", round(percentile(sorted, 99)));
        }
        return o;
    }

    /** Nearest rank, as CloudWatch's pNN statistics. */
    static double percentile(double[] sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    private static double round(double ms) {
        return Math.round(ms * 1000) / 1000.0;
    }
}
