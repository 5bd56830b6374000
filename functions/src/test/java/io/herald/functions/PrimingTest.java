package io.herald.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.herald.core.service.Services;
import io.herald.testing.EmbeddedDynamoDb;
import io.herald.testing.Tokens;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PrimingTest {
    @RegisterExtension
    static final EmbeddedDynamoDb ddb = new EmbeddedDynamoDb();

    @Test
    void priming_should_exercise_the_read_paths_and_write_nothing() {
        EmbeddedDynamoDb.Tables t = ddb.createTables();
        Services s = Herald.fromEnv(Map.of("AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", "local", "AWS_SECRET_ACCESS_KEY", "local",
                "AWS_ENDPOINT_URL_DYNAMODB", ddb.endpoint(), "HERALD_CONNECTIONS_URL", "http://127.0.0.1:9/ws",
                "HERALD_JWT_SECRET", Tokens.SECRET, "HERALD_CONNECTIONS_TABLE", t.connections(),
                "HERALD_SUBSCRIPTIONS_TABLE", t.subscriptions(), "HERALD_LEDGER_TABLE", t.ledger()));
        Priming.prime(s);
        for (String table : t.all()) {
            assertEquals(0, ddb.client().scan(b -> b.tableName(table)).count(), table + " stays empty");
        }
    }

    @Test
    void priming_should_never_fail_the_snapshot() {
        Services s = Herald.fromEnv(Map.of("AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", "local", "AWS_SECRET_ACCESS_KEY", "local",
                "AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9", "HERALD_CONNECTIONS_URL", "http://127.0.0.1:9/ws",
                "HERALD_JWT_SECRET", Tokens.SECRET, "HERALD_CONNECTIONS_TABLE", "a", "HERALD_SUBSCRIPTIONS_TABLE", "b",
                "HERALD_LEDGER_TABLE", "c"));
        Priming.prime(s); // DynamoDB unreachable: swallowed
    }
}
