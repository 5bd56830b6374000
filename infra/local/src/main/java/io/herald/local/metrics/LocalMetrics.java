package io.herald.local.metrics;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.json.Json;
import io.herald.dynamodb.CapacityListener;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.function.Supplier;

/**
 * The stack's metrics, by the template's logical ids (tables and queues by name): whatever the
 * template declares gets its entry when the stack wires it, so a new function shows up without
 * a change here.
 */
public final class LocalMetrics implements CapacityListener {
    private final Map<String, FunctionMetrics> functions = new ConcurrentSkipListMap<>();
    private final Map<String, ApiMetrics> apis = new ConcurrentSkipListMap<>();
    private final Map<String, DoubleAdder[]> tables = new ConcurrentHashMap<>();
    private final Map<String, Supplier<Map<String, Long>>> queues = new ConcurrentSkipListMap<>();

    public FunctionMetrics function(String logicalId) {
        return functions.computeIfAbsent(logicalId, k -> new FunctionMetrics());
    }

    public ApiMetrics api(String logicalId) {
        return apis.computeIfAbsent(logicalId, k -> new ApiMetrics());
    }

    /** A table the template declares: listed from the start, at zero. */
    public void table(String name) {
        units(name);
    }

    /** A queue's counters (sent, received, deleted, redriven), read when the metrics are. */
    public void queue(String name, Supplier<Map<String, Long>> counters) {
        queues.put(name, counters);
    }

    @Override
    public void consumed(String table, double readUnits, double writeUnits) {
        DoubleAdder[] u = units(table);
        u[0].add(readUnits);
        u[1].add(writeUnits);
    }

    private DoubleAdder[] units(String table) {
        return tables.computeIfAbsent(table, k -> new DoubleAdder[] {new DoubleAdder(), new DoubleAdder()});
    }

    /** {@code {"functions": {...}, "apis": {...}, "tables": {...}, "queues": {...}}}, each by name. */
    public ObjectNode json() {
        ObjectNode out = Json.object();
        ObjectNode f = out.putObject("functions");
        functions.forEach((id, m) -> f.set(id, m.json()));
        ObjectNode a = out.putObject("apis");
        apis.forEach((id, m) -> a.set(id, m.json()));
        ObjectNode t = out.putObject("tables");
        new java.util.TreeMap<>(tables).forEach((name, u) -> t.putObject(name)
                .put("readCapacityUnits", u[0].sum()).put("writeCapacityUnits", u[1].sum()));
        ObjectNode q = out.putObject("queues");
        queues.forEach((name, c) -> {
            Map<String, Long> counters = c.get();
            q.putObject(name).put("sent", counters.get("sent")).put("received", counters.get("received"))
                    .put("deleted", counters.get("deleted")).put("redriven", counters.get("redriven"));
        });
        return out;
    }
}
