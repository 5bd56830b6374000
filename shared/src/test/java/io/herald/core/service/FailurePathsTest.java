package io.herald.core.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.aws.apigateway.ApiGatewayNotifier;
import io.herald.aws.config.AwsClients;
import io.herald.aws.dynamodb.DynamoDbConnectionStore;
import io.herald.aws.dynamodb.DynamoDbLedger;
import io.herald.aws.dynamodb.DynamoDbSubscriptionStore;
import io.herald.core.json.Json;
import io.herald.core.model.Publication;
import io.herald.testing.DynamoDbLocal;
import io.herald.testing.Fixture;
import io.herald.testing.RecordingManagementApi;
import io.herald.testing.Tokens;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The failure paths of issue 11, each injected where it happens: the Management API (a real HTTP
 * server answering 410, 429 or 5xx on command) and DynamoDB Local, with the signed calls between.
 */
class FailurePathsTest {
    @RegisterExtension
    static final DynamoDbLocal ddb = new DynamoDbLocal();

    RecordingManagementApi api;
    Fixture herald;
    DynamoDbLocal.Tables tables;
    ConnectionRegistry registry;

    @BeforeEach
    void setUp() throws Exception {
        api = new RecordingManagementApi();
        tables = ddb.createTables();
        DynamoDbLedger ledger = new DynamoDbLedger(ddb.client(), tables.ledger(), Duration.ofHours(1));
        registry = new ConnectionRegistry(new DynamoDbConnectionStore(ddb.client(), tables.connections()),
                new DynamoDbSubscriptionStore(ddb.client(), tables.subscriptions(), tables.connections()), ledger, ledger);
        AwsClients clients = new AwsClients(Map.of("AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", RecordingManagementApi.ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY", RecordingManagementApi.SECRET));
        herald = new Fixture(registry, ledger, new ApiGatewayNotifier(clients.signedHttp(), api.endpoint()), HeraldConfig.defaults());
    }

    @AfterEach
    void tearDown() {
        api.close();
    }

    private boolean stored(String id) {
        return registry.connections().get(id, Instant.now()).isPresent();
    }

    // ---- item 3: DeleteConnection ----

    @Test
    void replacing_older_connections_should_retry_a_throttled_close_and_not_stop_at_a_failing_one() throws Exception {
        String token = Tokens.forUser("u1");
        herald.connect("a-old", "protocol", "notify", "token", token);
        herald.connect("b-old", "protocol", "notify", "token", token);
        herald.connect("z-new", "protocol", "notify", "token", token);
        api.failNext("a-old", 500, 20); // never closes
        api.failNext("b-old", 429, 2); // closes on the third attempt

        herald.services.lifecycle.connected(herald.connection("z-new"), Instant.now());

        assertEquals(List.of("b-old"), api.deleted);
        assertTrue(!stored("a-old") && !stored("b-old"), "both older connections are forgotten");
        assertTrue(stored("z-new"));
        assertTrue(herald.log.stream().anyMatch(l -> l.path("event").asText().equals("disconnect_failed")
                && l.path("connectionId").asText().equals("a-old")), "the failed close is logged");
    }

    @Test
    void a_failed_raffle_auth_should_close_through_5xx_and_forget_the_connection() {
        herald.connect("r1", "protocol", "raffle");
        api.failNext("r1", 503, 2); // raffle answers a bad token by closing: two DeleteConnections fail
        herald.send("r1", "{\"message_type\":\"auth\",\"data\":{\"token\":\"not-a-jwt\"}}");
        assertEquals(List.of("r1"), api.deleted);
        assertTrue(!stored("r1"));
    }
}
