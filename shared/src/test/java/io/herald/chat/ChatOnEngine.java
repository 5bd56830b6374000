package io.herald.chat;

import io.herald.aws.dynamodb.DynamoDbChatStore;
import io.herald.aws.dynamodb.DynamoDbConnectionStore;
import io.herald.aws.dynamodb.DynamoDbPublicationLedger;
import io.herald.aws.dynamodb.DynamoDbQuotas;
import io.herald.aws.dynamodb.DynamoDbSchema;
import io.herald.aws.dynamodb.DynamoDbStats;
import io.herald.aws.dynamodb.DynamoDbSubscriptionStore;
import io.herald.core.delivery.ConnectionNotifier;
import io.herald.core.delivery.Delivery;
import io.herald.core.log.EventLog;
import io.herald.core.service.ConnectionRegistry;
import io.herald.core.service.HeraldConfig;
import io.herald.core.service.Services;
import io.herald.core.store.ConnectionStore;
import io.herald.jwt.JwtVerifier;
import io.herald.testing.EmbeddedDynamoDb;
import io.herald.testing.Tokens;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.function.UnaryOperator;

/** Herald with the chat profile, every store on the engine's fresh tables; the connection store may be wrapped (a lagging index). */
final class ChatOnEngine {
    private ChatOnEngine() {}

    static Services services(EmbeddedDynamoDb dynamo, UnaryOperator<ConnectionStore> connections, ConnectionNotifier out, EventLog log,
            Delivery.Sleeper sleeper) {
        EmbeddedDynamoDb.Tables t = dynamo.createTables();
        String chatTable = "Chat-" + UUID.randomUUID().toString().substring(0, 8);
        dynamo.client().createTable(DynamoDbSchema.chatTable(chatTable));
        var ddb = dynamo.client();
        ConnectionRegistry registry = new ConnectionRegistry(connections.apply(new DynamoDbConnectionStore(ddb, t.connections())),
                new DynamoDbSubscriptionStore(ddb, t.subscriptions(), t.connections()), new DynamoDbStats(ddb, t.ledger()),
                new DynamoDbQuotas(ddb, t.ledger()));
        return new Services(Clock.systemUTC(), HeraldConfig.defaults(), registry, new DynamoDbPublicationLedger(ddb, t.ledger(),
                Duration.ofHours(1)), out, JwtVerifier.hs256(Tokens.SECRET, null, null, Clock.systemUTC()), log, sleeper,
                new Services.Chat(new DynamoDbChatStore(ddb, chatTable, null), (task, delay) -> { }, Duration.ofSeconds(5), null));
    }
}
