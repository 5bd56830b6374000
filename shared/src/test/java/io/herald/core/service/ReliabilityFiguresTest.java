package io.herald.core.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.aws.dynamodb.DynamoDbSchema;
import io.herald.core.json.Json;
import io.herald.core.model.Connection;
import io.herald.core.model.Publication;
import io.herald.core.model.SubscriptionSpec;
import io.herald.core.topic.TopicPattern;
import io.herald.testing.EmbeddedDynamoDb;
import io.herald.testing.Fixture;
import io.herald.testing.RecordingManagementApi;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The figures in docs/reliability.md, from faults injected into the Management API (a real HTTP
 * server) in front of Herald's DynamoDB engine. Each test prints one line starting {@code RELIABILITY}.
 */
class ReliabilityFiguresTest {
    @RegisterExtension
    static final EmbeddedDynamoDb ddb = new EmbeddedDynamoDb();

    RecordingManagementApi api;
    Fixture herald;
    EmbeddedDynamoDb.Tables tables;
    ConnectionRegistry registry;

    @BeforeEach
    void setUp() throws Exception {
        api = new RecordingManagementApi();
        tables = ddb.createTables();
        herald = Fixture.onEngine(ddb, tables, api, HeraldConfig.defaults());
        registry = herald.services.registry;
    }

    @AfterEach
    void tearDown() {
        api.close();
    }

    /** Connections opened a minute ago (past the connect window), each subscribed to {@code topic}. */
    private List<String> subscribers(String prefix, int n, String topic) throws Exception {
        Instant opened = Instant.now().minusSeconds(60);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) ids.add(String.format("%s%06d=", prefix, i));
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (String id : ids) {
                fs.add(pool.submit(() -> {
                    Connection c = new Connection(id, "user-" + id, "topics", opened, "10.0.0." + (id.hashCode() & 0xff), "test",
                            Map.of(), opened.plus(Duration.ofHours(2)).getEpochSecond());
                    registry.register(c, 0, opened);
                    registry.subscribe(c, SubscriptionSpec.of(TopicPattern.parse(topic)), 100, opened);
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get();
        } finally {
            pool.shutdownNow();
        }
        return ids;
    }

    private Set<String> rowsFor(Set<String> connectionIds) {
        Set<String> left = new HashSet<>();
        ddb.client().scanPaginator(b -> b.tableName(tables.connections())).items()
                .forEach(i -> left.add(i.get(DynamoDbSchema.CONNECTION_ID).s()));
        ddb.client().scanPaginator(b -> b.tableName(tables.subscriptions())).items()
                .forEach(i -> left.add(i.get(DynamoDbSchema.SUB_CONNECTION).s()));
        left.retainAll(connectionIds);
        return left;
    }

    @Test
    void management_api_faults_at_ten_percent_over_ten_thousand_deliveries_should_lose_nothing() throws Exception {
        List<String> ids = subscribers("L", 1000, "load.t");
        api.injectFaults(0.10, 11);

        List<String> published = new ArrayList<>();
        int attempts = 0, incomplete = 0;
        while (api.attempts.values().stream().mapToInt(a -> a.get()).sum() < 10_000) {
            String pid = "p-" + published.size();
            Publication p = new Publication(pid, "load", List.of("load.t"), Json.object().put("pid", pid), null);
            // the trigger (SQS, EventBridge) redelivers until the publication is done
            for (int attempt = 1; ; attempt++) {
                attempts++;
                try {
                    herald.services.publisher.publish(p, Instant.now());
                    break;
                } catch (RetryablePublicationException e) {
                    incomplete++;
                    assertTrue(attempt < 10, "redelivered " + attempt + " times");
                }
            }
            published.add(pid);
        }

        int lost = 0, duplicates = 0;
        Set<String> gone = ids.stream().filter(api::isGone).collect(Collectors.toSet());
        for (String id : ids) {
            List<String> got = api.to(id).stream().map(f -> Json.parse(f).get("data").get("pid").asText()).toList();
            duplicates += got.size() - new HashSet<>(got).size();
            // deliverable: every publication to a live connection, and to a gone one those before it went
            int deliverable = published.size();
            if (gone.contains(id)) deliverable = published.indexOf(Json.parse(api.diedOn.get(id)).get("data").get("pid").asText());
            for (String pid : published.subList(0, deliverable)) if (!got.contains(pid)) lost++;
        }
        Set<String> rowsLeft = rowsFor(gone);
        int posts = api.attempts.values().stream().mapToInt(a -> a.get()).sum();
        System.out.printf("RELIABILITY management-api-faults: %d posts (%d publications x 1000 subscribers, %d trigger attempts,"
                + " %d released for a retry), injected %s; %d connections gone; lost %d, duplicates %d, rows left for gone %d%n",
                posts, published.size(), attempts, incomplete, new java.util.TreeMap<>(api.injected), gone.size(), lost,
                duplicates, rowsLeft.size());
        assertEquals(0, lost, "deliverable publications lost");
        assertEquals(Set.of(), rowsLeft, "rows left for gone connections");
        assertTrue(gone.size() > 0 && api.injected.size() == 4, "every kind of fault was injected");
    }

    /**
     * Item 5's figure: a publication whose 5,000 subscribers are all gone, cleanup included. Not
     * run by default (about a minute of setup); run it with
     * {@code mvn -B -o -q verify -pl shared -am -Dtest=ReliabilityFiguresTest -Dherald.measure=true
     * -Dsurefire.failIfNoSpecifiedTests=false}. The one-by-one against batched figure comes from
     * {@code io.herald.bench.CleanupBench}.
     */
    @Test
    @EnabledIfSystemProperty(named = "herald.measure", matches = "true")
    void cleanup_of_five_thousand_gone_connections() throws Exception {
        List<String> ids = subscribers("G", 5000, "gone.t");
        ids.forEach(api::markGone);
        long t0 = System.nanoTime();
        PublishService.Result r = herald.services.publisher.publish(new Publication("bulk", "x", List.of("gone.t"),
                Json.object().put("n", 1), null), Instant.now());
        double seconds = (System.nanoTime() - t0) / 1e9;
        herald.log.stream().filter(l -> l.path("event").asText().equals("publish")).forEach(l -> System.out.println("RELIABILITY " + l));
        Set<String> rowsLeft = rowsFor(new HashSet<>(ids));
        System.out.printf("RELIABILITY cleanup: %d gone connections answered 410 and were forgotten in %.2f s"
                + " (posts and cleanup, concurrency %d); rows left %d%n", r.gone(), seconds,
                HeraldConfig.defaults().fanoutConcurrency(), rowsLeft.size());
        assertEquals(5000, r.gone());
        assertEquals(Set.of(), rowsLeft);
    }
}
