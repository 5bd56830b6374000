package io.herald.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.fanout.FanOutTask;
import io.herald.core.json.Json;
import io.herald.core.model.Publication;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchEntryIdsNotDistinctException;
import software.amazon.awssdk.services.sqs.model.InvalidMessageContentsException;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageNotInflightException;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.PurgeQueueInProgressException;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;
import software.amazon.awssdk.services.sqs.model.ReceiptHandleIsInvalidException;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.SqsException;

/**
 * The template's queues served to the real SDK's SqsClient, and its SQS event sources driving
 * functions: publications through PublishQueue reach a real WebSocket client, a record the
 * function reports as failed comes back and is redriven to the dead-letter queue after
 * maxReceiveCount, batches gather within the batching window, filters drop what they do not match.
 */
class SqsFidelityTest {
    @TempDir
    static Path dir;
    static LocalStack stack;
    static SqsClient sqs;

    /** The deploy template, with short timeouts to watch redrive, and queues of the test's own. */
    static final UnaryOperator<String> TEMPLATE = y -> y
            .replace("      VisibilityTimeout: 180\n", "      VisibilityTimeout: 1\n")
            .replace("        maxReceiveCount: 5\n", "        maxReceiveCount: 2\n")
            .replace("  PublishDeadLetterQueue:\n", """
                  ScratchQueue:
                    Type: AWS::SQS::Queue
                    Properties:
                      VisibilityTimeout: 30
                  DelayQueue:
                    Type: AWS::SQS::Queue
                    Properties:
                      QueueName: herald-delays
                      DelaySeconds: 5
                  BatchQueue:
                    Type: AWS::SQS::Queue
                  PurgedQueue:
                    Type: AWS::SQS::Queue
                  WritersQueue:
                    Type: AWS::SQS::Queue
                  CaptureFunction:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: io.herald.local.CapturingHandler::handleRequest
                      Events:
                        Batches:
                          Type: SQS
                          Properties:
                            Queue: !GetAtt BatchQueue.Arn
                            BatchSize: 5
                            MaximumBatchingWindowInSeconds: 5
                            FilterCriteria:
                              Filters:
                                - Pattern: '{"body": {"kind": ["keep"]}}'
                  PublishDeadLetterQueue:
                """);

    @BeforeAll
    static void start() throws Exception {
        Path t = dir.resolve("template.yaml");
        Files.writeString(t, TEMPLATE.apply(Files.readString(Path.of("template.yaml"))));
        stack = new LocalStack(LocalOptions.defaults().withPort(0).withTemplate(t)).start();
        sqs = client(stack);
    }

    @AfterAll
    static void stop() {
        if (sqs != null) sqs.close();
        if (stack != null) stack.close();
    }

    static SqsClient client(LocalStack s) {
        return SqsClient.builder().endpointOverride(URI.create(s.httpUrl())).region(Region.US_EAST_1)
                .httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b"))).build();
    }

    static String url(String name) {
        return sqs.getQueueUrl(b -> b.queueName(name)).queueUrl();
    }

    @Test
    void the_banner_should_print_one_line_per_queue_with_the_url_the_sdk_resolves() {
        String banner = Main.queueLines(stack);
        for (String id : List.of("PublishQueue", "ScratchQueue", "BatchQueue", "PublishDeadLetterQueue")) {
            assertTrue(banner.contains("SQS  " + id + "  " + url(id) + "\n"), banner);
        }
        assertTrue(banner.contains("SQS  DelayQueue  " + stack.httpUrl() + "/000000000000/herald-delays\n"), "QueueName names it");
        assertThrows(QueueDoesNotExistException.class, () -> url("NoSuchQueue"));
    }

    @Test
    void send_receive_change_visibility_and_delete_should_behave_as_sqs() {
        String q = url("ScratchQueue");
        // the SDK checks MD5OfMessageBody and MD5OfMessageAttributes on the answers
        sqs.sendMessage(b -> b.queueUrl(q).messageBody("héllo ✓").messageAttributes(Map.of(
                "kind", MessageAttributeValue.builder().dataType("String").stringValue("greeting").build(),
                "n", MessageAttributeValue.builder().dataType("Number").stringValue("42").build(),
                "raw", MessageAttributeValue.builder().dataType("Binary").binaryValue(SdkBytes.fromUtf8String("\u0001x")).build())));
        List<Message> got = sqs.receiveMessage(b -> b.queueUrl(q).maxNumberOfMessages(10).messageAttributeNames("All")
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();
        assertEquals(1, got.size());
        Message m = got.get(0);
        assertEquals("héllo ✓", m.body());
        assertEquals("42", m.messageAttributes().get("n").stringValue());
        assertEquals("\u0001x", m.messageAttributes().get("raw").binaryValue().asUtf8String());
        assertEquals("1", m.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT));

        assertTrue(sqs.receiveMessage(b -> b.queueUrl(q)).messages().isEmpty(), "in flight: hidden for the visibility timeout");
        assertEquals("1", attribute(q, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));

        sqs.changeMessageVisibility(b -> b.queueUrl(q).receiptHandle(m.receiptHandle()).visibilityTimeout(0));
        Message again = sqs.receiveMessage(b -> b.queueUrl(q).messageSystemAttributeNames(MessageSystemAttributeName.ALL))
                .messages().get(0);
        assertEquals(m.messageId(), again.messageId());
        assertEquals("2", again.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT));

        // the first receipt handle was superseded: deleting with it succeeds and deletes nothing, as on SQS
        sqs.deleteMessage(b -> b.queueUrl(q).receiptHandle(m.receiptHandle()));
        assertEquals("1", attribute(q, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
        sqs.deleteMessage(b -> b.queueUrl(q).receiptHandle(again.receiptHandle()));
        assertEquals("0", attribute(q, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
        assertThrows(MessageNotInflightException.class,
                () -> sqs.changeMessageVisibility(b -> b.queueUrl(q).receiptHandle(again.receiptHandle()).visibilityTimeout(5)));
        assertThrows(ReceiptHandleIsInvalidException.class, () -> sqs.deleteMessage(b -> b.queueUrl(q).receiptHandle("nonsense")));
    }

    @Test
    void batches_should_report_each_entry_and_refuse_a_bad_batch_whole() {
        String q = url("ScratchQueue");
        SendMessageBatchResponse r = sqs.sendMessageBatch(b -> b.queueUrl(q).entries(
                e -> e.id("a").messageBody("one"), e -> e.id("b").messageBody("bad \u0000 char"), e -> e.id("c").messageBody("three")));
        assertEquals(List.of("a", "c"), r.successful().stream().map(x -> x.id()).toList());
        assertEquals("b", r.failed().get(0).id());
        assertEquals("InvalidMessageContents", r.failed().get(0).code());
        assertThrows(BatchEntryIdsNotDistinctException.class, () -> sqs.sendMessageBatch(b -> b.queueUrl(q).entries(
                e -> e.id("x").messageBody("1"), e -> e.id("x").messageBody("2"))));
        assertThrows(InvalidMessageContentsException.class, () -> sqs.sendMessage(b -> b.queueUrl(q).messageBody("\uFFFF")));

        List<Message> got = sqs.receiveMessage(b -> b.queueUrl(q).maxNumberOfMessages(10)).messages();
        assertEquals(List.of("one", "three"), got.stream().map(Message::body).toList(), "the failed entry was not enqueued");
        var deleted = sqs.deleteMessageBatch(b -> b.queueUrl(q).entries(got.stream().map(m -> software.amazon.awssdk.services.sqs
                .model.DeleteMessageBatchRequestEntry.builder().id("d" + got.indexOf(m)).receiptHandle(m.receiptHandle()).build())
                .toList()));
        assertEquals(2, deleted.successful().size());
        assertEquals("0", attribute(q, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    @Test
    void delays_should_hold_messages_at_queue_and_message_level() throws Exception {
        String delayed = url("herald-delays");
        sqs.sendMessage(b -> b.queueUrl(delayed).messageBody("queue delay"));
        sqs.sendMessage(b -> b.queueUrl(delayed).messageBody("no delay").delaySeconds(0));
        assertEquals(List.of("no delay"), bodies(sqs.receiveMessage(b -> b.queueUrl(delayed).maxNumberOfMessages(10)).messages()),
                "a message's own DelaySeconds overrides the queue's");
        assertEquals("1", attribute(delayed, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED));
        assertEquals(List.of("queue delay"), bodies(sqs.receiveMessage(b -> b.queueUrl(delayed).waitTimeSeconds(20)).messages()),
                "long polling waits for the delay to pass");

        String q = url("ScratchQueue");
        // delays of seconds, not one: the checks of what is still hidden must run inside them on a loaded machine
        sqs.sendMessage(b -> b.queueUrl(q).messageBody("later").delaySeconds(3));
        assertTrue(sqs.receiveMessage(b -> b.queueUrl(q)).messages().isEmpty());
        Message m = sqs.receiveMessage(b -> b.queueUrl(q).waitTimeSeconds(20)).messages().get(0);
        assertEquals("later", m.body());
        sqs.deleteMessage(b -> b.queueUrl(q).receiptHandle(m.receiptHandle()));
        SqsException tooLong = assertThrows(SqsException.class,
                () -> sqs.sendMessage(b -> b.queueUrl(q).messageBody("x").delaySeconds(901)));
        assertEquals(400, tooLong.statusCode());
    }

    @Test
    void a_queues_ref_should_be_its_local_url_in_a_functions_environment() {
        var t = io.herald.local.template.SamTemplate.parse("""
                Resources:
                  Typing:
                    Type: AWS::SQS::Queue
                  F:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: x.Y::handleRequest
                      Environment:
                        Variables:
                          QUEUE_URL: !Ref Typing
                          QUEUE_ARN: !GetAtt Typing.Arn
                          QUEUE_NAME: !Sub '${Typing.QueueName}'
                """, Map.of()).queueEndpoint("http://localhost:9");
        assertEquals(Map.of("QUEUE_URL", "http://localhost:9/000000000000/Typing",
                "QUEUE_ARN", "arn:aws:sqs:us-east-1:000000000000:Typing", "QUEUE_NAME", "Typing"),
                t.functions().get(0).environment());
    }

    @Test
    void purge_should_empty_the_queue_once_a_minute() {
        String q = url("PurgedQueue");
        sqs.sendMessage(b -> b.queueUrl(q).messageBody("going"));
        sqs.purgeQueue(b -> b.queueUrl(q));
        assertEquals("0", attribute(q, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
        assertThrows(PurgeQueueInProgressException.class, () -> sqs.purgeQueue(b -> b.queueUrl(q)));
    }

    @Test
    void a_publication_sent_to_the_publish_queue_should_reach_the_subscribed_socket() throws Exception {
        try (WsClient c = WsClient.connect(stack.webSocketUrl() + "?token=" + stack.token("sqs-user"))) {
            c.send("{\"type\":\"subscribe\",\"topic\":\"raffles.sqs1\"}");
            c.nextOfType("type", "subscribed");
            sqs.sendMessage(b -> b.queueUrl(url("PublishQueue"))
                    .messageBody("{\"type\":\"raffle_drawn\",\"topics\":[\"raffles.sqs1\"],\"data\":{\"winner\":\"u7\"}}"));
            JsonNode m = c.nextOfType("type", "message");
            assertEquals("raffle_drawn", m.get("eventType").asText());
            assertEquals("u7", m.get("data").get("winner").asText());
        }
    }

    @Test
    void a_failed_record_should_return_and_be_redriven_while_the_rest_of_its_batch_is_delivered_once() throws Exception {
        String publish = url("PublishQueue");
        String dlq = url("PublishDeadLetterQueue");
        try (WsClient c = WsClient.connect(stack.webSocketUrl() + "?token=" + stack.token("sqs-user2"))) {
            c.send("{\"type\":\"subscribe\",\"topic\":\"raffles.sqs2\"}");
            c.nextOfType("type", "subscribed");
            SendMessageBatchResponse sent = sqs.sendMessageBatch(b -> b.queueUrl(publish).entries(
                    e -> e.id("good").messageBody("{\"type\":\"ok\",\"topics\":[\"raffles.sqs2\"],\"data\":{}}"),
                    e -> e.id("bad").messageBody("{not json")));
            String badId = sent.successful().stream().filter(s -> s.id().equals("bad")).findFirst().orElseThrow().messageId();
            assertEquals("ok", c.nextOfType("type", "message").get("eventType").asText());

            // received twice (maxReceiveCount 2, visibility 1 s), then moved on the third receive
            Message redriven = sqs.receiveMessage(b -> b.queueUrl(dlq).waitTimeSeconds(15)
                    .messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages().get(0);
            assertEquals(badId, redriven.messageId(), "a redriven message keeps its id");
            assertEquals("{not json", redriven.body());
            assertEquals("0", attribute(publish, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
            assertEquals("0", attribute(publish, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
            assertNull(c.quiet(500), "the good record was deleted after its batch: no second delivery");
            sqs.deleteMessage(b -> b.queueUrl(dlq).receiptHandle(redriven.receiptHandle()));
            assertTrue(stack.queues().byName("PublishQueue").orElseThrow().counters().get("redriven") >= 1);
        }
    }

    @Test
    void the_batching_window_should_gather_messages_and_filters_should_drop_the_rest() throws Exception {
        String q = url("BatchQueue");
        String arn = attribute(q, QueueAttributeName.QUEUE_ARN);
        sqs.sendMessage(b -> b.queueUrl(q).messageBody("{\"kind\":\"drop\"}"));
        for (int i = 0; i < 3; i++) {
            int n = i;
            sqs.sendMessage(b -> b.queueUrl(q).messageBody("{\"kind\":\"keep\",\"n\":" + n + "}"));
            Thread.sleep(200);
        }
        LocalStackEndToEndTest.waitUntil(() -> CapturingHandler.EVENTS.stream().anyMatch(e -> fromQueue(e, arn)));
        List<JsonNode> batches = CapturingHandler.EVENTS.stream().filter(e -> fromQueue(e, arn)).toList();
        assertEquals(1, batches.size(), "one invocation within the 5 s window: " + batches);
        JsonNode records = batches.get(0).get("Records");
        assertEquals(3, records.size(), "the filtered-out message is not delivered");
        JsonNode r = records.get(0);
        assertEquals("aws:sqs", r.get("eventSource").asText());
        assertEquals("1", r.get("attributes").get("ApproximateReceiveCount").asText());
        LocalStackEndToEndTest.waitUntil(() -> "0".equals(attribute(q, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                && "0".equals(attribute(q, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)));
    }

    @Test
    void a_template_the_emulation_cannot_honour_should_be_refused_at_start_naming_resource_and_property() throws Exception {
        String fifo = TEMPLATE.apply(Files.readString(Path.of("template.yaml")))
                .replace("      DelaySeconds: 5\n", "      DelaySeconds: 5\n      FifoQueue: true\n");
        assertRefused(fifo, "DelayQueue (AWS::SQS::Queue): FifoQueue");
        String unknown = TEMPLATE.apply(Files.readString(Path.of("template.yaml")))
                .replace("      DelaySeconds: 5\n", "      DelaySeconds: 5\n      VisibilityTimeoutz: 3\n");
        assertRefused(unknown, "DelayQueue (AWS::SQS::Queue): VisibilityTimeoutz");
        String bigBatch = TEMPLATE.apply(Files.readString(Path.of("template.yaml"))).replace("BatchSize: 10\n", "BatchSize: 50\n");
        assertRefused(bigBatch, "PublishFunction (its SQS event): BatchSize");
    }

    private void assertRefused(String yaml, String expected) throws Exception {
        Path t = dir.resolve("refused.yaml");
        Files.writeString(t, yaml);
        LocalStack s = new LocalStack(LocalOptions.defaults().withPort(0).withTemplate(t));
        IllegalStateException e = assertThrows(IllegalStateException.class, s::start);
        s.close();
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    }

    private static boolean fromQueue(JsonNode event, String arn) {
        return arn.equals(event.path("Records").path(0).path("eventSourceARN").asText());
    }

    private static List<String> bodies(List<Message> messages) {
        return messages.stream().map(Message::body).toList();
    }

    private static String attribute(String queueUrl, QueueAttributeName name) {
        return sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(name)).attributes().get(name);
    }

    /**
     * The bodies Herald itself sends (fan-out tasks, the chat's delayed tasks) through its own SQS
     * calls: characters SQS refuses in a publication's data (U+FFFF, U+FFFE, a lone surrogate) are
     * sent escaped, accepted, and read back as they were, where they used to be refused
     * (InvalidMessageContents: the task retried into the dead-letter queue) or turned into '?'.
     */
    @Test
    void heralds_own_bodies_should_be_accepted_and_read_back_whatever_characters_the_data_holds() {
        String q = url("WritersQueue");
        io.herald.aws.http.SignedHttp http = new io.herald.aws.config.AwsClients(Map.of("AWS_REGION", "us-east-1",
                "AWS_ACCESS_KEY_ID", "a", "AWS_SECRET_ACCESS_KEY", "b")).signedHttp();
        URI endpoint = URI.create(stack.httpUrl());
        ObjectNode data = Json.object().put("x", "\uFFFF").put("y", "a\uFFFEb").put("lone", "\uD800").put("kept", "héllo 😀");
        new io.herald.aws.sqs.SqsDelayedTasks(http, endpoint, q).schedule(data.deepCopy().put("kind", "delayed"), java.time.Duration.ZERO);
        Publication p = new Publication("pub-\uFFFF", "raffle_drawn", List.of("raffles.big"), data, null);
        byte[] frame = Json.write(data).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        new io.herald.aws.sqs.SqsFanOutQueue(http, endpoint, q, io.herald.core.delivery.RetryPolicy.DEFAULT, ms -> { }).enqueue(List.of(
                new FanOutTask.Shard(p.id(), 0, p), new FanOutTask.Batch(p.id(), p.id() + "#0#topics#raffles.big#1.0", frame, List.of("a="))));

        List<Message> got = sqs.receiveMessage(b -> b.queueUrl(q).maxNumberOfMessages(10).waitTimeSeconds(2)).messages();
        assertEquals(3, got.size());
        for (Message m : got) {
            JsonNode body = Json.parse(m.body());
            if (body.has("kind")) {
                assertEquals(data.deepCopy().put("kind", "delayed"), body);
            } else if (FanOutTask.read(m.body()) instanceof FanOutTask.Shard s) {
                assertEquals(p, s.publication());
            } else {
                FanOutTask.Batch b = (FanOutTask.Batch) FanOutTask.read(m.body());
                assertEquals(p.id(), b.publicationId());
                assertTrue(java.util.Arrays.equals(frame, b.frame()));
            }
            sqs.deleteMessage(b -> b.queueUrl(q).receiptHandle(m.receiptHandle()));
        }
        // what SQS says of the raw character, as the emulation now words it
        InvalidMessageContentsException e = assertThrows(InvalidMessageContentsException.class,
                () -> sqs.sendMessage(b -> b.queueUrl(q).messageBody("{\"x\":\"\uFFFF\"}")));
        assertTrue(e.getMessage().startsWith("Invalid binary character '#xFFFF' was found in the message body"), e.getMessage());
    }
}
