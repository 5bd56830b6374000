package io.herald.testing;

import io.herald.aws.dynamodb.DynamoDbSchema;
import io.herald.dynamodb.DynamoDbEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

/**
 * Herald's DynamoDB engine ({@code infra/dynamodb}), in memory on a free loopback port, started
 * before the test class and stopped after it. Tests reach it through the real SDK client, whose
 * interceptor counts Scans and items read by Query, so tests can prove fan-out never scans and
 * reads only what matches.
 */
public final class EmbeddedDynamoDb implements BeforeAllCallback, AfterAllCallback {
    private DynamoDbEngine engine;
    private DynamoDbClient client;
    public final AtomicInteger scans = new AtomicInteger();
    public final AtomicInteger queries = new AtomicInteger();
    public final AtomicInteger itemsQueried = new AtomicInteger();

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    public void start() {
        engine = DynamoDbEngine.builder().start();
        client = clientWith(new Counter());
    }

    /**
     * A client of this engine of the test's own, with interceptors that fake what the engine cannot
     * be made to do on cue (an index that lags, a throttled call). The caller closes it.
     */
    public DynamoDbClient clientWith(ExecutionInterceptor... interceptors) {
        return DynamoDbClient.builder().endpointOverride(engine.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(o -> {
                    for (ExecutionInterceptor i : interceptors) o.addExecutionInterceptor(i);
                })
                .build();
    }

    public void stop() {
        if (client != null) client.close();
        if (engine != null) engine.close();
    }

    public DynamoDbClient client() {
        return client;
    }

    /** {@code http://127.0.0.1:PORT}, for {@code AWS_ENDPOINT_URL_DYNAMODB} and clients of a test's own. */
    public String endpoint() {
        return engine.endpoint().toString();
    }

    /** Fresh tables (unique names) for one test; returns {connections, subscriptions, ledger}. */
    public Tables createTables() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        Tables t = new Tables("Connections-" + suffix, "Subscriptions-" + suffix, "Ledger-" + suffix);
        DynamoDbSchema.all(t.connections(), t.subscriptions(), t.ledger()).forEach(client::createTable);
        return t;
    }

    public void resetCounters() {
        scans.set(0);
        queries.set(0);
        itemsQueried.set(0);
    }

    public record Tables(String connections, String subscriptions, String ledger) {
        public List<String> all() {
            return new ArrayList<>(List.of(connections, subscriptions, ledger));
        }
    }

    private final class Counter implements ExecutionInterceptor {
        @Override
        public void beforeExecution(Context.BeforeExecution c, ExecutionAttributes a) {
            if (c.request() instanceof ScanRequest) scans.incrementAndGet();
        }

        @Override
        public void afterUnmarshalling(Context.AfterUnmarshalling c, ExecutionAttributes a) {
            if (c.response() instanceof QueryResponse q) {
                queries.incrementAndGet();
                itemsQueried.addAndGet(q.count());
            }
        }
    }
}
