package io.herald.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Lambda REQUEST authorizer on $connect, from a template of the test's own, driven by real
 * WebSocket clients: the route protected on AWS is protected locally, with AWS's status codes, and
 * the authorizer's context reaches every later event.
 */
class ConnectAuthorizerTest {
    @TempDir
    static Path dir;
    static LocalStack stack;

    static final String AUTHORIZER = """
              Guard:
                Type: AWS::ApiGatewayV2::Authorizer
                Properties:
                  ApiId: !Ref Api
                  Name: guard
                  AuthorizerType: REQUEST
                  AuthorizerUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${GuardFunction.Arn}/invocations
                  IdentitySource: [route.request.querystring.token, route.request.header.X-Client]
              GuardFunction:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: io.herald.local.TestAuthorizer::handleRequest
            """;
    static final String PROTECTED = MiniTemplate.with(AUTHORIZER).replace(
            "      RouteKey: $connect\n", "      RouteKey: $connect\n      AuthorizationType: CUSTOM\n      AuthorizerId: !Ref Guard\n");

    @BeforeAll
    static void start() throws Exception {
        stack = MiniTemplate.start(dir, PROTECTED);
    }

    @AfterAll
    static void stop() {
        if (stack != null) stack.close();
    }

    int handshake(String token) throws Exception {
        return WsClient.refusedStatus(stack.webSocketUrl() + (token == null ? "" : "?token=" + token), "X-Client", "test");
    }

    @Test
    void a_missing_identity_source_should_get_401_without_calling_the_authorizer() throws Exception {
        int before = TestAuthorizer.REQUESTS.size();
        assertEquals(401, handshake(null));
        assertEquals(401, WsClient.refusedStatus(stack.webSocketUrl() + "?token=allow-x"), "the X-Client header is missing");
        assertEquals(before, TestAuthorizer.REQUESTS.size());
    }

    @Test
    void the_authorizers_refusals_should_map_to_api_gateways_statuses() throws Exception {
        assertEquals(403, handshake("deny"), "an explicit Deny");
        assertEquals(403, handshake("other-resource"), "an Allow for another route only");
        assertEquals(401, handshake("unauthorized"), "the function failed with Unauthorized");
        assertEquals(500, handshake("nested"), "an object in the context is a configuration error");
        assertTrue(CapturingHandler.EVENTS.stream().noneMatch(e -> "deny".equals(
                e.path("queryStringParameters").path("token").asText())), "a refused handshake never reaches $connect");
    }

    @Test
    void an_allowed_connection_should_carry_the_authorizer_context_into_every_event() throws Exception {
        WsClient c = WsClient.connect(stack.webSocketUrl() + "?token=allow-alice", null, "X-Client", "test");
        JsonNode request = TestAuthorizer.REQUESTS.stream()
                .filter(r -> "allow-alice".equals(r.path("queryStringParameters").path("token").asText())).findFirst().orElseThrow();
        assertEquals("REQUEST", request.get("type").asText());
        assertEquals("arn:aws:execute-api:us-east-1:000000000000:local/ws/$connect", request.get("methodArn").asText());
        assertEquals("test", request.get("headers").get("X-Client").asText());
        String id = request.get("requestContext").get("connectionId").asText();

        c.send("{\"action\":\"anything\"}");
        c.close();
        LocalStackEndToEndTest.waitUntil(() -> events(id).size() == 3);
        for (JsonNode e : events(id)) {
            JsonNode auth = e.get("requestContext").get("authorizer");
            assertEquals("alice", auth.get("principalId").asText(), e.toString());
            assertEquals("t1", auth.get("tenant").asText());
            assertEquals("3", auth.get("level").asText(), "context values arrive as strings");
            assertEquals("false", auth.get("admin").asText());
        }
    }

    @Test
    void what_the_local_stack_cannot_honour_should_be_refused_at_start() throws Exception {
        String onDefault = MiniTemplate.with(AUTHORIZER).replace(
                "      RouteKey: $default\n", "      RouteKey: $default\n      AuthorizationType: CUSTOM\n      AuthorizerId: !Ref Guard\n");
        assertTrue(MiniTemplate.refusal(dir, onDefault).startsWith("DefaultRoute (AWS::ApiGatewayV2::Route): AuthorizationType CUSTOM"));
        String iam = MiniTemplate.BASE.replace("      RouteKey: $connect\n", "      RouteKey: $connect\n      AuthorizationType: AWS_IAM\n");
        assertTrue(MiniTemplate.refusal(dir, iam).startsWith("ConnectRoute (AWS::ApiGatewayV2::Route): AuthorizationType AWS_IAM"));
        String ttl = PROTECTED.replace("      Name: guard\n", "      Name: guard\n      AuthorizerResultTtlInSeconds: 300\n");
        assertTrue(MiniTemplate.refusal(dir, ttl).startsWith("Guard (AWS::ApiGatewayV2::Authorizer): AuthorizerResultTtlInSeconds"));
        String stageVar = PROTECTED.replace("route.request.header.X-Client", "context.sourceIp");
        assertTrue(MiniTemplate.refusal(dir, stageVar).startsWith("Guard (AWS::ApiGatewayV2::Authorizer): IdentitySource context.sourceIp"));
    }

    private static List<JsonNode> events(String connectionId) {
        return CapturingHandler.EVENTS.stream()
                .filter(e -> connectionId.equals(e.path("requestContext").path("connectionId").asText())).toList();
    }
}
