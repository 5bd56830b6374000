package io.herald.aws.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.herald.testing.EmbeddedDynamoDb;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** A shard task's batch counts: the first run's stand for every later run, on the real engine. */
class DynamoDbBatchPlansTest {
    @RegisterExtension
    static final EmbeddedDynamoDb ddb = new EmbeddedDynamoDb();

    String ledger;
    DynamoDbBatchPlans plans;

    @BeforeEach
    void setUp() {
        ledger = ddb.createTables().ledger();
        plans = new DynamoDbBatchPlans(ddb.client(), ledger);
    }

    Map<String, AttributeValue> item(String key) {
        return ddb.client().getItem(b -> b.tableName(ledger).key(Map.of("pk", AttributeValue.fromS("fop#" + key)))).item();
    }

    @Test
    void the_first_runs_counts_should_stand_and_new_encodings_be_added() {
        Instant first = Instant.parse("2026-11-29T10:00:00Z");
        assertEquals(Map.of("topics#a", 3), plans.fix("pub-1#0", Map.of("topics#a", 3), first));
        assertEquals(Map.of("topics#a", 3, "topics#b", 2), plans.fix("pub-1#0", Map.of("topics#a", 5, "topics#b", 2), first.plusSeconds(60)));
        assertEquals(Map.of("topics#a", 7), plans.fix("pub-1#1", Map.of("topics#a", 7), first), "another shard task, another plan");
        assertEquals(String.valueOf(first.getEpochSecond()), item("pub-1#0").get("ttl").n(), "the first run's expiry");
    }

    /** The batch records a plan describes may outlive it: past its TTL, until the table deletes it, it still holds. */
    @Test
    void a_plan_past_its_expiry_but_still_kept_should_still_hold() {
        Instant past = Instant.now().minusSeconds(3600);
        plans.fix("pub-2#0", Map.of("topics#a", 4), past);
        assertEquals(Map.of("topics#a", 4), plans.fix("pub-2#0", Map.of("topics#a", 9), Instant.now().plusSeconds(60)));
    }

    /** 20 topics times several profiles: more names than one update expression carries. */
    @Test
    void many_encodings_should_all_be_fixed() {
        Map<String, Integer> proposed = new LinkedHashMap<>();
        for (int i = 0; i < 100; i++) proposed.put("profile" + (i % 5) + "#topic." + i + ".x".repeat(200), i + 1);
        assertEquals(proposed, plans.fix("pub-3#0", proposed, Instant.now()));
        Map<String, Integer> again = new LinkedHashMap<>();
        proposed.keySet().forEach(k -> again.put(k, 1));
        assertEquals(proposed, plans.fix("pub-3#0", again, Instant.now()));
    }

    @Test
    void runs_at_once_should_get_one_answer() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Map<String, Integer>>> runs = new ArrayList<>();
            for (int i = 1; i <= 16; i++) {
                int n = i;
                runs.add(pool.submit(() -> plans.fix("pub-4#2", Map.of("topics#a", n, "chat#b", 100 + n), Instant.now())));
            }
            Set<Map<String, Integer>> answers = new HashSet<>();
            for (Future<Map<String, Integer>> f : runs) answers.add(f.get());
            assertEquals(1, answers.size(), answers.toString());
        } finally {
            pool.shutdown();
        }
    }
}
