package io.herald.aws.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.core.store.RateLimiter;
import io.herald.core.store.RateLimiter.Limit;
import io.herald.core.store.RateLimiter.Verdict;
import io.herald.testing.EmbeddedDynamoDb;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.DoubleAdder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/** The limiter on Herald's DynamoDB engine through the real SDK client; time is passed in, nothing sleeps. */
class DynamoDbRateLimiterTest {
    @RegisterExtension
    static final EmbeddedDynamoDb dynamo = new EmbeddedDynamoDb();
    static final Limit MINUTE = new Limit("messages_per_minute", 30, Duration.ofMinutes(1));
    static final Limit HOUR = new Limit("messages_per_hour", 500, Duration.ofHours(1));
    static final Limit DAY = new Limit("messages_per_day", 2000, Duration.ofDays(1));
    static final List<Limit> MESSAGES = List.of(MINUTE, HOUR, DAY);
    static final Instant T0 = Instant.parse("2025-01-01T12:00:00Z");

    String table;
    DynamoDbRateLimiter limiter;

    @BeforeEach
    void table() {
        table = dynamo.createTables().ledger();
        limiter = new DynamoDbRateLimiter(dynamo.client(), table);
    }

    int admitted(String key, List<Limit> limits, int tries, Instant at) {
        int n = 0;
        for (int i = 0; i < tries; i++) if (limiter.acquire(key, limits, at).admitted()) n++;
        return n;
    }

    @Test
    void acquire_should_refuse_the_31st_in_a_minute_and_say_when_to_retry() {
        assertEquals(30, admitted("u1", MESSAGES, 30, T0));
        Verdict v = limiter.acquire("u1", MESSAGES, T0.plusSeconds(20));
        assertFalse(v.admitted());
        assertEquals("messages_per_minute", v.exceeded().name());
        assertEquals(40, v.retryAfterSeconds());
        // another key has its own budget
        assertTrue(limiter.acquire("u2", MESSAGES, T0.plusSeconds(20)).admitted());
    }

    @Test
    void acquire_should_open_a_new_window_when_the_old_one_ended() {
        assertEquals(30, admitted("u1", MESSAGES, 31, T0));
        assertFalse(limiter.acquire("u1", MESSAGES, T0.plusMillis(59_999)).admitted());
        assertEquals(30, admitted("u1", MESSAGES, 31, T0.plusSeconds(60)));
        // the hour kept counting across the minutes: 60 of 500
        Map<String, AttributeValue> item = item("u1");
        assertEquals("60", item.get("n3600000").n());
        assertEquals("30", item.get("n60000").n());
        // the TTL is the end of the longest window, so an idle user's item goes away
        assertEquals(T0.plus(Duration.ofDays(1)).getEpochSecond() + 1, Long.parseLong(item.get("ttl").n()));
    }

    @Test
    void acquire_should_count_nothing_when_any_window_is_full() {
        List<Limit> tight = List.of(new Limit("per_minute", 3, Duration.ofMinutes(1)), new Limit("per_hour", 4, Duration.ofHours(1)));
        assertEquals(3, admitted("u", tight, 3, T0));
        assertEquals(1, admitted("u", tight, 2, T0.plusSeconds(61)));
        Verdict v = limiter.acquire("u", tight, T0.plusSeconds(62));
        assertEquals("per_hour", v.exceeded().name());
        assertEquals(3600 - 62, v.retryAfterSeconds());
        // the refused events left the minute window at one: nothing counted for them
        assertEquals("1", item("u").get("n60000").n());
        assertEquals("4", item("u").get("n3600000").n());
    }

    @Test
    void acquire_should_name_the_window_that_frees_up_last_when_several_are_full() {
        List<Limit> both = List.of(new Limit("per_minute", 2, Duration.ofMinutes(1)), new Limit("per_day", 2, Duration.ofDays(1)));
        assertEquals(2, admitted("u", both, 2, T0));
        assertEquals("per_day", limiter.acquire("u", both, T0.plusSeconds(1)).exceeded().name());
    }

    @Test
    void acquire_should_admit_exactly_the_budget_under_concurrency() throws Exception {
        // many containers at once: separate clients, one key
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger admitted = new AtomicInteger();
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            fs.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < 10; i++) if (limiter.acquire("shared", MESSAGES, T0.plusMillis(i)).admitted()) admitted.incrementAndGet();
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : fs) f.get(60, TimeUnit.SECONDS);
        pool.shutdown();
        assertEquals(30, admitted.get());
        assertEquals("30", item("shared").get("n60000").n());
    }

    @Test
    void acquire_should_be_exact_when_concurrent_callers_all_find_the_window_ended() throws Exception {
        assertEquals(30, admitted("roll", MESSAGES, 30, T0));
        ExecutorService pool = Executors.newFixedThreadPool(6);
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger admitted = new AtomicInteger();
        List<Future<?>> fs = new ArrayList<>();
        Instant later = T0.plusSeconds(61);
        for (int t = 0; t < 6; t++) {
            fs.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < 10; i++) if (limiter.acquire("roll", MESSAGES, later).admitted()) admitted.incrementAndGet();
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : fs) f.get(60, TimeUnit.SECONDS);
        pool.shutdown();
        assertEquals(30, admitted.get());
        assertEquals("60", item("roll").get("n3600000").n());
    }

    /**
     * The limiter's DynamoDB cost: write units as the engine reports them (ConsumedCapacity) plus
     * one per failed conditional write (the SDK throws, so no capacity comes back; AWS bills a
     * failed conditional write of an item under 1 KB as 1 WCU). An admitted message in an open
     * window: 1 WCU; a refused one: 1 WCU; a window starting again: 2 WCU; never a read.
     */
    @Test
    void cost_should_be_one_write_unit_per_message_in_an_open_window() {
        DoubleAdder wcu = new DoubleAdder();
        DoubleAdder rcu = new DoubleAdder();
        try (DynamoDbClient measured = measuring(wcu, rcu)) {
            DynamoDbRateLimiter l = new DynamoDbRateLimiter(measured, table);
            l.acquire("cost", MESSAGES, T0); // first: a failed update and a put
            assertEquals(2.0, wcu.sumThenReset(), 1e-9);
            for (int i = 0; i < 29; i++) l.acquire("cost", MESSAGES, T0.plusSeconds(1));
            assertEquals(29.0, wcu.sumThenReset(), 1e-9);
            assertFalse(l.acquire("cost", MESSAGES, T0.plusSeconds(2)).admitted());
            assertEquals(1.0, wcu.sumThenReset(), 1e-9);
            assertTrue(l.acquire("cost", MESSAGES, T0.plusSeconds(61)).admitted());
            assertEquals(2.0, wcu.sumThenReset(), 1e-9);
            assertEquals(0.0, rcu.sum(), 1e-9); // never a read: the failed condition returns the item
        }
    }

    Map<String, AttributeValue> item(String key) {
        return dynamo.client().getItem(b -> b.tableName(table).consistentRead(true).key(Map.of("pk", AttributeValue.fromS("rate#" + key)))).item();
    }

    /** A client that asks for ConsumedCapacity on every write and adds it up. */
    static DynamoDbClient measuring(DoubleAdder wcu, DoubleAdder rcu) {
        ExecutionInterceptor capacity = new ExecutionInterceptor() {
            @Override
            public SdkRequest modifyRequest(Context.ModifyRequest c, ExecutionAttributes a) {
                if (c.request() instanceof UpdateItemRequest u) return u.toBuilder().returnConsumedCapacity(ReturnConsumedCapacity.TOTAL).build();
                if (c.request() instanceof PutItemRequest p) return p.toBuilder().returnConsumedCapacity(ReturnConsumedCapacity.TOTAL).build();
                return c.request();
            }

            @Override
            public void afterUnmarshalling(Context.AfterUnmarshalling c, ExecutionAttributes a) {
                ConsumedCapacity cc = c.response() instanceof UpdateItemResponse u ? u.consumedCapacity()
                        : c.response() instanceof PutItemResponse p ? p.consumedCapacity() : null;
                add(cc, wcu, rcu);
            }

            @Override
            public void onExecutionFailure(Context.FailedExecution c, ExecutionAttributes a) {
                if (c.exception() instanceof ConditionalCheckFailedException) wcu.add(1);
            }
        };
        return dynamo.clientWith(capacity);
    }

    static void add(ConsumedCapacity cc, DoubleAdder wcu, DoubleAdder rcu) {
        if (cc == null) return;
        if (cc.writeCapacityUnits() != null) wcu.add(cc.writeCapacityUnits());
        if (cc.readCapacityUnits() != null) rcu.add(cc.readCapacityUnits());
    }
}
