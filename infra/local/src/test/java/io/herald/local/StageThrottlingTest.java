package io.herald.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stage's throttling, from a template of the test's own: connects beyond the $connect route's
 * bucket get 429 at the handshake; messages beyond their route's bucket get an error frame and the
 * socket stays open.
 */
class StageThrottlingTest {
    @TempDir
    Path dir;

    static final String STAGE = """
              Stage:
                Type: AWS::ApiGatewayV2::Stage
                Properties:
                  ApiId: !Ref Api
                  StageName: !Ref Stage
                  DefaultRouteSettings:
                    ThrottlingBurstLimit: 2
                    ThrottlingRateLimit: 0.01
                  RouteSettings:
                    $default:
                      ThrottlingBurstLimit: 3
                      ThrottlingRateLimit: 0.01
            """;

    @Test
    void connects_and_messages_beyond_the_bucket_should_be_throttled() throws Exception {
        try (LocalStack s = MiniTemplate.start(dir, MiniTemplate.with(STAGE))) {
            WsClient a = WsClient.connect(s.webSocketUrl());
            WsClient b = WsClient.connect(s.webSocketUrl());
            assertEquals(429, WsClient.refusedStatus(s.webSocketUrl()), "the $connect bucket (burst 2) is empty");
            for (int i = 0; i < 3; i++) a.send("{\"action\":\"x\",\"n\":" + i + "}");
            assertEquals(null, a.quiet(500), "three messages fit the $default route's burst of 3");
            a.send("{\"action\":\"x\",\"n\":3}");
            JsonNode m = a.next();
            assertEquals("Too Many Requests", m.get("message").asText());
            assertTrue(m.has("connectionId") && m.has("requestId"));
            b.send("{\"action\":\"x\"}");
            assertEquals("Too Many Requests", b.next().get("message").asText(), "the bucket is the route's, not the connection's");
            a.close();
            b.close();
        }
    }

    @Test
    void half_a_throttle_should_be_refused_at_start() throws Exception {
        String half = MiniTemplate.with(STAGE.replace("        ThrottlingRateLimit: 0.01\n      RouteSettings", "      RouteSettings"));
        assertTrue(MiniTemplate.refusal(dir, half).startsWith("Stage (AWS::ApiGatewayV2::Stage): route $connect sets only one"),
                MiniTemplate.refusal(dir, half));
    }
}
