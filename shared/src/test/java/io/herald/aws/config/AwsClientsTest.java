package io.herald.aws.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class AwsClientsTest {
    @Test
    void building_clients_should_raise_the_jdks_keep_alive_limit_regression() {
        // with the JDK's default of 5 idle connections per host, 32 concurrent posts to API Gateway
        // kept opening new connections: 10,000 deliveries took 2.30 s instead of 1.84 s locally
        new AwsClients(Map.of("AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", "a", "AWS_SECRET_ACCESS_KEY", "b"));
        int limit = Integer.parseInt(System.getProperty("http.maxConnections"));
        assertTrue(limit >= 32, "keep-alive limit " + limit + " is below the fan-out concurrency");
    }
}
