package io.herald.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.GoneException;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * GET /local/metrics: what CloudWatch would show for a template of the test's own, driven with real
 * clients (WebSocket, the SDK's Management API, DynamoDB and SQS clients).
 */
class LocalMetricsTest {
    @TempDir
    Path dir;

    static final String EXTRA = """
              BrokenRoute:
                Type: AWS::ApiGatewayV2::Route
                Properties:
                  ApiId: !Ref Api
                  RouteKey: broken
                  Target: !Sub integrations/${Broken}
              Broken:
                Type: AWS::ApiGatewayV2::Integration
                Properties:
                  ApiId: !Ref Api
                  IntegrationType: AWS_PROXY
                  IntegrationUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${BrokenFunction.Arn}/invocations
              BrokenFunction:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: io.herald.local.NoSuchHandler::handleRequest
              ThrottledRoute:
                Type: AWS::ApiGatewayV2::Route
                Properties:
                  ApiId: !Ref Api
                  RouteKey: throttled
                  Target: !Sub integrations/${Throttled}
              Throttled:
                Type: AWS::ApiGatewayV2::Integration
                Properties:
                  ApiId: !Ref Api
                  IntegrationType: AWS_PROXY
                  IntegrationUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${ThrottledFunction.Arn}/invocations
              ThrottledFunction:
                Type: AWS::Serverless::Function
                Properties:
                  Handler: io.herald.local.CapturingHandler::handleRequest
                  ReservedConcurrentExecutions: 0
              NotesTable:
                Type: AWS::DynamoDB::Table
                Properties:
                  BillingMode: PAY_PER_REQUEST
                  AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
                  KeySchema: [{AttributeName: pk, KeyType: HASH}]
              WorkQueue:
                Type: AWS::SQS::Queue
                Properties:
                  QueueName: work
            """;

    @Test
    void metrics_should_count_what_cloudwatch_would_show() throws Exception {
        try (LocalStack s = MiniTemplate.start(dir, MiniTemplate.with(EXTRA));
                ApiGatewayManagementApiClient management = ApiGatewayManagementApiClient.builder()
                        .endpointOverride(URI.create(s.managementEndpoint())).region(Region.US_EAST_1)
                        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
                        .httpClient(UrlConnectionHttpClient.create()).build();
                SqsClient sqs = SqsClient.builder().endpointOverride(URI.create(s.httpUrl())).region(Region.US_EAST_1)
                        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
                        .httpClient(UrlConnectionHttpClient.create()).build()) {
            JsonNode before = metrics(s);
            assertEquals(0, before.at("/functions/ThrottledFunction/invocations").asLong(), before.toString());
            assertEquals(0.0, before.at("/tables/NotesTable/writeCapacityUnits").asDouble(), "declared tables are listed at zero");
            assertTrue(before.at("/functions/CaptureFunction/durationMs/p50").isNull(), "no invocation yet: no percentile");

            WsClient c = WsClient.connect(s.webSocketUrl() + "?mark=metrics");
            c.send("{\"action\":\"broken\"}");
            assertEquals("Internal server error", c.next().get("message").asText());
            c.send("{\"action\":\"throttled\"}");
            assertEquals("Internal server error", c.next().get("message").asText());
            c.send("{\"action\":\"other\"}"); // $default: CaptureFunction, which answers nothing
            String id = CapturingHandler.EVENTS.stream().filter(e -> "metrics".equals(e.at("/queryStringParameters/mark").asText()))
                    .findFirst().orElseThrow().at("/requestContext/connectionId").asText();
            management.postToConnection(b -> b.connectionId(id).data(SdkBytes.fromUtf8String("{\"n\":1}")));
            assertEquals(1, c.next().get("n").asInt());
            assertThrows(GoneException.class, () -> management.postToConnection(
                    b -> b.connectionId("AAAAAAAAAAAAAAA=").data(SdkBytes.fromUtf8String("{}"))));

            s.dynamo().putItem(b -> b.tableName("NotesTable").item(Map.of("pk", AttributeValue.fromS("a"),
                    "text", AttributeValue.fromS("x".repeat(1500)))));
            s.dynamo().getItem(b -> b.tableName("NotesTable").key(Map.of("pk", AttributeValue.fromS("a"))).consistentRead(true));

            String url = sqs.getQueueUrl(b -> b.queueName("work")).queueUrl();
            sqs.sendMessage(b -> b.queueUrl(url).messageBody("one"));
            sqs.sendMessage(b -> b.queueUrl(url).messageBody("two"));
            var got = sqs.receiveMessage(b -> b.queueUrl(url).maxNumberOfMessages(10)).messages();
            sqs.deleteMessage(b -> b.queueUrl(url).receiptHandle(got.get(0).receiptHandle()));

            LocalStackEndToEndTest.waitUntil(() -> metrics(s).at("/functions/CaptureFunction/invocations").asLong() >= 2);
            JsonNode m = metrics(s);
            JsonNode capture = m.at("/functions/CaptureFunction");
            assertEquals(2, capture.get("invocations").asLong(), "$connect and $default: " + m);
            assertEquals(0, capture.get("errors").asLong());
            assertTrue(capture.at("/durationMs/p50").asDouble() > 0 && capture.at("/durationMs/p99").asDouble()
                    >= capture.at("/durationMs/p50").asDouble(), capture.toString());
            JsonNode broken = m.at("/functions/BrokenFunction");
            assertEquals(1, broken.get("invocations").asLong());
            assertEquals(1, broken.get("errors").asLong());
            JsonNode throttled = m.at("/functions/ThrottledFunction");
            assertEquals(0, throttled.get("invocations").asLong(), "a throttle is not an invocation");
            assertEquals(1, throttled.get("throttles").asLong());

            JsonNode api = m.at("/apis/Api");
            assertEquals(1, api.get("connects").asLong());
            assertEquals(1, api.get("connections").asLong());
            assertEquals(3, api.get("messagesIn").asLong());
            assertEquals(3, api.get("messagesOut").asLong(), "two error frames and one post");
            // CapturingHandler also posts during $connect, which API Gateway answers 410
            assertEquals(3, api.get("managementPosts").asLong());
            assertEquals(2, api.get("management410s").asLong());

            assertEquals(1.0, m.at("/tables/NotesTable/readCapacityUnits").asDouble(), 1e-9, "one strongly consistent 4 KB read");
            assertEquals(2.0, m.at("/tables/NotesTable/writeCapacityUnits").asDouble(), 1e-9, "a 1.5 KB item");

            JsonNode q = m.at("/queues/WorkQueue");
            assertEquals(2, q.get("sent").asLong());
            assertEquals(2, q.get("received").asLong());
            assertEquals(1, q.get("deleted").asLong());
            assertEquals(0, q.get("redriven").asLong());

            c.close();
            c.awaitClose();
            LocalStackEndToEndTest.waitUntil(() -> metrics(s).at("/apis/Api/connections").asLong() == 0);
        }
    }

    @Test
    void a_reserved_concurrency_that_is_not_a_number_should_be_refused_at_start() throws Exception {
        String bad = MiniTemplate.with(EXTRA.replace("ReservedConcurrentExecutions: 0", "ReservedConcurrentExecutions: lots"));
        assertEquals("ThrottledFunction (AWS::Serverless::Function): ReservedConcurrentExecutions lots is not a whole number of 0 or more",
                MiniTemplate.refusal(dir, bad));
    }

    static JsonNode metrics(LocalStack s) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(s.httpUrl() + "/local/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("application/json"));
            return Json.parse(r.body());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
