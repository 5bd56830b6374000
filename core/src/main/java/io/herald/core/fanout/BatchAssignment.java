package io.herald.core.fanout;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiPredicate;

/**
 * Which batch of a shard task a connection belongs to: batch {@code hash(id) mod n}, with
 * {@code n} fixed by the task's first run ({@link BatchPlans}). A connection's batch depends on its
 * id and {@code n} only, so every run of the same task puts each connection it sees in the same
 * batch key, whoever joined or left in between. (Chunks of a sorted list did not: one newcomer
 * shifted every later boundary, so one key stood for two sets of connections, and a completed key
 * skipped connections the other set held.)
 */
public final class BatchAssignment {
    /** Splits of an oversized batch stop here: 2^32 parts would hold one connection each. */
    static final int MAX_SPLIT_BITS = 32;

    private BatchAssignment() {}

    /**
     * The number of batches a first run gives {@code connections}: batches hold three quarters of
     * {@code batchSize} on average, so the hash's spread (about the square root of the mean: ±19
     * at 375) stays within {@code batchSize}, and so does a later run's after some growth (up to
     * about a fifth more subscribers). Beyond, batches grow past {@code batchSize}: only the queue
     * body's limit bounds them ({@link #split}).
     */
    public static int batchCount(int connections, int batchSize) {
        long mean = Math.max(1, batchSize * 3L / 4);
        return (int) Math.max(1, (connections + mean - 1) / mean);
    }

    /**
     * The batches of one encoding's connections, key suffix to ids (sorted), in batch order, empty
     * batches left out: batch {@code i} of {@code n} has suffix {@code n.i}. A batch that {@code fits}
     * refuses (its queue body would pass the limit: the topic grew several times over since the plan
     * was fixed) is split by {@code k} more bits of the hash, the smallest {@code k} whose parts all
     * fit: suffixes {@code n.i.k.j}. A later run that splits the same batch otherwise gives its
     * connections other keys: they may then be posted twice, never skipped.
     */
    public static Map<String, List<String>> split(Collection<String> ids, int n, BiPredicate<String, List<String>> fits) {
        if (n < 1) throw new IllegalArgumentException("batch count " + n);
        Map<Integer, TreeSet<String>> buckets = new TreeMap<>();
        for (String id : ids) buckets.computeIfAbsent(bucket(hash(id), n), x -> new TreeSet<>()).add(id);
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Map.Entry<Integer, TreeSet<String>> b : buckets.entrySet()) {
            String suffix = n + "." + b.getKey();
            List<String> all = new ArrayList<>(b.getValue());
            if (fits.test(suffix, all)) {
                out.put(suffix, all);
                continue;
            }
            for (int k = 1; ; k++) {
                Map<String, List<String>> parts = new LinkedHashMap<>();
                for (Map.Entry<Long, List<String>> p : parts(all, k).entrySet()) parts.put(suffix + "." + k + "." + p.getKey(), p.getValue());
                // past MAX_SPLIT_BITS nothing splits further: the queue refuses what is still too large, loudly
                if (k == MAX_SPLIT_BITS || parts.entrySet().stream().allMatch(p -> fits.test(p.getKey(), p.getValue()))) {
                    out.putAll(parts);
                    break;
                }
            }
        }
        return out;
    }

    private static Map<Long, List<String>> parts(List<String> sorted, int bits) {
        Map<Long, List<String>> parts = new TreeMap<>();
        long mask = (1L << bits) - 1;
        for (String id : sorted) parts.computeIfAbsent(hash(id) & mask, x -> new ArrayList<>()).add(id);
        return parts;
    }

    /** The batch from the hash's high half; a split uses the low bits, independent of it. */
    static int bucket(long hash, int n) {
        return (int) ((hash >>> 32) % n);
    }

    /**
     * 64-bit FNV-1a over the id's UTF-16 units, then MurmurHash3's finalizer: the same on every JVM
     * (in-flight tasks are read by other instances, maybe of another deployment), and independent of
     * {@code String.hashCode}, which places connections in subscription shards (all of one shard
     * task's connections share that hash modulo the shard count).
     */
    public static long hash(String id) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < id.length(); i++) {
            h ^= id.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
