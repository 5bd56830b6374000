package io.herald.dynamodb.storage;

import io.herald.dynamodb.model.AttributeValue;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * Deletes expired items the way DynamoDB's TTL does: items whose TTL attribute is a number of epoch
 * seconds in the past (but not more than five years past, which DynamoDB ignores), each deletion a
 * stream REMOVE record attributed to the DynamoDB service. Until swept, an expired item is still
 * returned by reads, as on AWS.
 */
public final class TtlSweeper {
    private static final long FIVE_YEARS_SECONDS = 5L * 365 * 24 * 3600;
    private final Database db;

    public TtlSweeper(Database db) {
        this.db = db;
    }

    /** One pass over every table with TTL enabled; returns how many items it deleted. */
    public int sweep() {
        long nowSeconds = db.now() / 1000;
        int deleted = 0;
        for (Table t : db.tables()) {
            if (!t.ttlEnabled || t.ttlAttribute == null) continue;
            List<Map<String, AttributeValue>> expired;
            t.lock().readLock().lock();
            try {
                // from the expiry index, not a scan of the table; DynamoDB ignores values over five years old
                expired = t.expiredKeys(nowSeconds - FIVE_YEARS_SECONDS, nowSeconds, 10_000);
            } finally {
                t.lock().readLock().unlock();
            }
            for (Map<String, AttributeValue> key : expired) {
                t.lock().writeLock().lock();
                try {
                    if (t.dropped) break;
                    Map<String, AttributeValue> item = t.get(key);
                    // the item may have been rewritten since the read pass
                    if (item != null && t.ttlEnabled && expired(item.get(t.ttlAttribute), nowSeconds) && db.delete(t, key, true) != null) deleted++;
                } finally {
                    t.lock().writeLock().unlock();
                }
            }
        }
        db.sync();
        return deleted;
    }

    static boolean expired(AttributeValue v, long nowSeconds) {
        if (v == null || v.type() != AttributeValue.Type.N) return false;
        BigDecimal at = v.n();
        return at.compareTo(BigDecimal.valueOf(nowSeconds)) <= 0 && at.compareTo(BigDecimal.valueOf(nowSeconds - FIVE_YEARS_SECONDS)) > 0;
    }
}
