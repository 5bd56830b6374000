package io.herald.core.fanout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Batch keys that do not depend on who else is in the shard. */
class BatchAssignmentTest {
    static final Random RANDOM = new Random(16);

    /** Ids shaped like API Gateway's (16 characters of base64). */
    static List<String> ids(int n) {
        List<String> out = new ArrayList<>();
        byte[] raw = new byte[11];
        for (int i = 0; i < n; i++) {
            RANDOM.nextBytes(raw);
            out.add(Base64.getEncoder().encodeToString(raw).substring(0, 15) + "=");
        }
        return out;
    }

    static Map<String, String> keyOf(Map<String, List<String>> batches) {
        Map<String, String> out = new HashMap<>();
        batches.forEach((suffix, ids) -> ids.forEach(id -> assertEquals(null, out.put(id, suffix), id + " in two batches")));
        return out;
    }

    @Test
    void a_connection_should_keep_its_batch_whoever_joins_or_leaves() {
        List<String> first = ids(2_000);
        int n = BatchAssignment.batchCount(first.size(), 500);
        assertEquals(6, n, "2,000 at 375 a batch on average");
        Map<String, String> before = keyOf(BatchAssignment.split(first, n, (s, b) -> true));
        List<String> later = new ArrayList<>(first.subList(700, 2_000)); // 700 left
        later.addAll(0, ids(900)); // 900 joined, many sorting first
        Map<String, String> after = keyOf(BatchAssignment.split(later, n, (s, b) -> true));
        assertEquals(2_000, before.size());
        for (String id : first.subList(700, 2_000)) assertEquals(before.get(id), after.get(id), id);
    }

    @Test
    void batches_should_stay_within_the_batch_size_at_the_first_run_and_after_some_growth() {
        List<String> all = ids(18_400); // 15 % more by a later run
        int n = BatchAssignment.batchCount(16_000, 500);
        assertEquals(43, n);
        for (List<String> ids : List.of(all.subList(0, 16_000), all)) {
            Map<String, List<String>> batches = BatchAssignment.split(ids, n, (s, b) -> true);
            assertEquals(n, batches.size());
            int largest = batches.values().stream().mapToInt(List::size).max().orElseThrow();
            int smallest = batches.values().stream().mapToInt(List::size).min().orElseThrow();
            assertTrue(largest <= 500, "largest batch " + largest + " of " + ids.size());
            assertTrue(smallest >= ids.size() / n / 2, "smallest batch " + smallest + ": the hash spreads");
        }
    }

    /** A shard task's connections share String.hashCode modulo the shard count: the batch hash must not care. */
    @Test
    void the_connections_of_one_subscription_shard_should_spread_over_every_batch() {
        List<String> shard = ids(200_000).stream().filter(id -> Math.floorMod(id.hashCode(), 16) == 0).toList();
        int n = BatchAssignment.batchCount(shard.size(), 500);
        Map<String, List<String>> batches = BatchAssignment.split(shard, n, (s, b) -> true);
        assertEquals(n, batches.size());
        int mean = shard.size() / n;
        assertTrue(batches.values().stream().allMatch(b -> b.size() > mean * 3 / 4 && b.size() < mean * 5 / 4),
                n + " batches of " + shard.size() + ": " + batches.values().stream().map(List::size).toList());
    }

    @Test
    void a_batch_too_large_for_its_queue_body_should_split_by_more_hash_bits_the_same_way_every_run() {
        List<String> ids = ids(1_000);
        Map<String, List<String>> batches = BatchAssignment.split(ids, 1, (suffix, b) -> b.size() <= 100);
        assertEquals(new HashSet<>(ids), keyOf(batches).keySet());
        assertTrue(batches.values().stream().allMatch(b -> b.size() <= 100));
        Set<String> bits = new HashSet<>();
        batches.keySet().forEach(s -> bits.add(s.split("\\.")[2]));
        assertEquals(1, bits.size(), "one split depth for the batch: " + batches.keySet());
        int k = Integer.parseInt(bits.iterator().next());
        assertTrue(k >= 4, "1,000 into parts of 100 takes at least 16 parts: " + k);
        assertTrue(batches.keySet().stream().allMatch(s -> s.startsWith("1.0." + k + ".")), batches.keySet().toString());
        // one bit less would not have fitted
        Map<Long, Integer> coarser = new HashMap<>();
        for (String id : ids) coarser.merge(BatchAssignment.hash(id) & ((1L << (k - 1)) - 1), 1, Integer::sum);
        assertTrue(coarser.values().stream().anyMatch(c -> c > 100));
        List<String> reversed = new ArrayList<>(ids);
        Collections.reverse(reversed);
        assertEquals(batches, BatchAssignment.split(reversed, 1, (suffix, b) -> b.size() <= 100), "the order read does not matter");
        // a batch that fits is not split, and keeps its plain key
        assertEquals(List.of("1.0"), List.copyOf(BatchAssignment.split(ids.subList(0, 100), 1, (s, b) -> b.size() <= 100).keySet()));
    }

    @Test
    void the_count_should_follow_three_quarters_of_the_batch_size() {
        assertEquals(1, BatchAssignment.batchCount(0, 500));
        assertEquals(1, BatchAssignment.batchCount(375, 500));
        assertEquals(2, BatchAssignment.batchCount(376, 500));
        assertEquals(7, BatchAssignment.batchCount(7, 1));
        assertEquals(5, BatchAssignment.batchCount(5, 2));
        assertEquals(2_667, BatchAssignment.batchCount(2_000_000, 1_000));
        assertThrows(IllegalArgumentException.class, () -> BatchAssignment.split(List.of("a"), 0, (s, b) -> true));
    }

    /**
     * Tasks queued by one deployment are run by the next: the hash is part of the batch keys'
     * meaning and must not change. These values are FNV-1a 64
     * ("a" gives 0xaf63dc4c8601ec8c before the finalizer) with MurmurHash3's finalizer.
     */
    @Test
    void the_hash_should_be_the_same_on_every_jvm_and_release() {
        assertEquals(0x2e9f35723d43efbdL, BatchAssignment.hash("L0SM9cOFvHcCIhw="));
        assertEquals(0xefd01f60ba992926L, BatchAssignment.hash(""));
        assertFalse(BatchAssignment.hash("a") == BatchAssignment.hash("b"));
    }
}
