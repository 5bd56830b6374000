package io.herald.testing;

import io.herald.jwt.JwtVerifier;
import io.herald.core.delivery.ConnectionNotifier;
import io.herald.core.fanout.FanOutPorts;
import io.herald.core.model.Connection;
import io.herald.core.service.ConnectRequest;
import io.herald.core.service.ConnectResult;
import io.herald.core.service.ConnectionRegistry;
import io.herald.core.log.EventLog;
import io.herald.core.service.HeraldConfig;
import io.herald.core.service.Services;
import io.herald.core.store.PublicationLedger;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Services over given ports with the test secret; records log lines; connects clients in one call. */
public final class Fixture {
    public final Services services;
    public final List<ObjectNode> log = Collections.synchronizedList(new ArrayList<>());

    public Fixture(ConnectionRegistry registry, PublicationLedger ledger, ConnectionNotifier notifier, HeraldConfig config) {
        this(registry, ledger, notifier, config, FanOutPorts.NONE);
    }

    /** With the fan-out ports the functions have (the engine's fixture: delivered sets for inline retries). */
    public Fixture(ConnectionRegistry registry, PublicationLedger ledger, ConnectionNotifier notifier, HeraldConfig config,
            FanOutPorts fanOut) {
        EventLog recording = log::add;
        this.services = new Services(Clock.systemUTC(), config, registry, ledger, notifier,
                JwtVerifier.hs256(Tokens.SECRET, null, null, Clock.systemUTC()), recording, ms -> { }, null, fanOut);
    }

    /**
     * Over the embedded engine's tables and a recording Management API reached through signed HTTP,
     * as the functions run: the setting of the failure-path, fan-out and reliability tests.
     */
    public static Fixture onEngine(EmbeddedDynamoDb ddb, EmbeddedDynamoDb.Tables tables, RecordingManagementApi api, HeraldConfig config) {
        return onEngine(ddb.client(), tables, api, config);
    }

    /** As above, through a client of the test's own (one with a fault-injecting interceptor). */
    public static Fixture onEngine(software.amazon.awssdk.services.dynamodb.DynamoDbClient client, EmbeddedDynamoDb.Tables tables,
            RecordingManagementApi api, HeraldConfig config) {
        ConnectionRegistry registry = new ConnectionRegistry(new io.herald.aws.dynamodb.DynamoDbConnectionStore(client, tables.connections()),
                new io.herald.aws.dynamodb.DynamoDbSubscriptionStore(client, tables.subscriptions(), tables.connections()),
                new io.herald.aws.dynamodb.DynamoDbStats(client, tables.ledger()), new io.herald.aws.dynamodb.DynamoDbQuotas(client, tables.ledger()));
        registry.sweepWith(new io.herald.aws.dynamodb.DynamoDbConnectionSweeper(client, tables.connections(), tables.subscriptions()));
        io.herald.aws.config.AwsClients clients = new io.herald.aws.config.AwsClients(Map.of("AWS_REGION", "us-east-1",
                "AWS_ACCESS_KEY_ID", RecordingManagementApi.ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", RecordingManagementApi.SECRET));
        return new Fixture(registry, new io.herald.aws.dynamodb.DynamoDbPublicationLedger(client, tables.ledger(), java.time.Duration.ofHours(1)),
                new io.herald.aws.apigateway.ApiGatewayNotifier(clients.signedHttp(), api.endpoint()), config,
                FanOutPorts.inlineOnly(new io.herald.aws.dynamodb.DynamoDbDeliveredSets(client, tables.ledger())));
    }

    public static Fixture inMemory(InMemoryStores s, ConnectionNotifier notifier, HeraldConfig config) {
        return new Fixture(new ConnectionRegistry(s, s, s, s), s, notifier, config);
    }

    /** Runs $connect; query entries are name, value pairs. */
    public ConnectResult connect(String id, String... query) {
        Map<String, String> q = new HashMap<>();
        for (int i = 0; i < query.length; i += 2) q.put(query[i], query[i + 1]);
        return services.connect.connect(new ConnectRequest(id, q, Map.of(), "127.0.0.1", "test"), Instant.now());
    }

    public Connection connection(String id) {
        return services.registry.connections().get(id, Instant.now()).orElseThrow();
    }

    public void send(String id, String frame) {
        services.sessions.onMessage(id, frame, Instant.now());
    }
}
