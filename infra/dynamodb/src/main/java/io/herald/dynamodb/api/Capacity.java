package io.herald.dynamodb.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.dynamodb.model.AttributeValue;
import io.herald.dynamodb.model.ItemSize;
import io.herald.dynamodb.storage.IndexDef;
import io.herald.dynamodb.storage.Table;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Consumed capacity by DynamoDB's rounding: reads in 4 KB units (half for eventually consistent,
 * double in a transaction), writes in 1 KB units; a write also costs every index whose entry it
 * adds, changes or removes.
 */
final class Capacity {
    final String table;
    double tableUnits;
    final Map<String, Double> gsis = new LinkedHashMap<>();
    final Map<String, Double> lsis = new LinkedHashMap<>();
    double readUnits;
    double writeUnits;

    Capacity(String table) {
        this.table = table;
    }

    static double readUnits(long bytes, boolean consistent) {
        double units = Math.max(1, Math.ceil(bytes / 4096.0));
        return consistent ? units : units / 2;
    }

    static double writeUnits(long bytes) {
        return Math.max(1, Math.ceil(bytes / 1024.0));
    }

    void read(String index, boolean global, long bytes, boolean consistent, double multiplier) {
        double u = readUnits(bytes, consistent) * multiplier;
        add(index, global, u);
        readUnits += u;
    }

    /** A write of old → new (either may be null) to the table and each affected index. */
    void write(Table t, Map<String, AttributeValue> old, Map<String, AttributeValue> item, double multiplier) {
        long size = Math.max(old == null ? 0 : ItemSize.of(old), item == null ? 0 : ItemSize.of(item));
        double u = writeUnits(size) * multiplier;
        tableUnits += u;
        writeUnits += u;
        for (IndexDef d : t.indexes.values()) {
            boolean before = old != null && d.key().indexes(old);
            boolean after = item != null && d.key().indexes(item);
            if (!before && !after) continue;
            Map<String, AttributeValue> po = before ? ItemOps.project(t, d, old) : null;
            Map<String, AttributeValue> pn = after ? ItemOps.project(t, d, item) : null;
            if (before && after && po.equals(pn)) continue; // the index entry did not change
            long isize = Math.max(po == null ? 0 : ItemSize.of(po), pn == null ? 0 : ItemSize.of(pn));
            double iu = writeUnits(isize) * multiplier;
            if (before && after && !d.key().keyOf(old).equals(d.key().keyOf(item))) iu *= 2; // delete + put
            (d.global() ? gsis : lsis).merge(d.name(), iu, Double::sum);
            writeUnits += iu;
        }
    }

    private void add(String index, boolean global, double u) {
        if (index == null) tableUnits += u;
        else (global ? gsis : lsis).merge(index, u, Double::sum);
    }

    double total() {
        return readUnits + writeUnits;
    }

    /** The ConsumedCapacity object for TOTAL or INDEXES; null for NONE. */
    ObjectNode json(String mode) {
        if (mode == null || mode.equals("NONE")) return null;
        ObjectNode o = Nodes.object().put("TableName", table).put("CapacityUnits", total());
        if (readUnits > 0 && writeUnits == 0) o.put("ReadCapacityUnits", readUnits);
        if (writeUnits > 0 && readUnits == 0) o.put("WriteCapacityUnits", writeUnits);
        if (mode.equals("INDEXES")) {
            o.putObject("Table").put("CapacityUnits", tableUnits);
            if (!gsis.isEmpty()) {
                ObjectNode g = o.putObject("GlobalSecondaryIndexes");
                gsis.forEach((n, u) -> g.putObject(n).put("CapacityUnits", u));
            }
            if (!lsis.isEmpty()) {
                ObjectNode l = o.putObject("LocalSecondaryIndexes");
                lsis.forEach((n, u) -> l.putObject(n).put("CapacityUnits", u));
            }
        }
        return o;
    }

    static String mode(JsonNode req) {
        return Nodes.text(req, "ReturnConsumedCapacity");
    }
}
