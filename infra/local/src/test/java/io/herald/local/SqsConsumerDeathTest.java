package io.herald.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.core.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * Issue 11's reliability row "an SQS batch whose consumer dies mid-batch → 0 lost": publications
 * sent to the template's PublishQueue through the SDK's SqsClient, consumed by the local event
 * source mapping, whose PublishFunction dies half-way through its first three batches
 * ({@link DyingPublishHandler}). Every batch comes back after the visibility timeout; the records
 * published before the death are not delivered twice (their ids, SQS's message ids, are
 * completed in the ledger), the others are delivered.
 */
class SqsConsumerDeathTest {
    static final int PUBLICATIONS = 60;
    static final String TOPIC = "sqs.death";

    @TempDir
    Path dir;

    @Test
    void a_consumer_dying_mid_batch_should_lose_no_publication_and_repeat_none() throws Exception {
        Path t = dir.resolve("template.yaml");
        Files.writeString(t, Files.readString(Path.of("template.yaml"))
                .replace("Handler: io.herald.functions.PublishHandler::handleRequest", "Handler: io.herald.local.DyingPublishHandler::handleRequest")
                .replace("      VisibilityTimeout: 180\n", "      VisibilityTimeout: 2\n"));
        DyingPublishHandler.DEATHS.set(3);
        DyingPublishHandler.PUBLISHED_BEFORE_DYING.set(0);
        try (LocalStack stack = new LocalStack(LocalOptions.defaults().withPort(0).withTemplate(t)).start();
                SqsClient sqs = SqsFidelityTest.client(stack)) {
            WsClient client = WsClient.connect(stack.webSocketUrl() + "?token=" + stack.token("sqs-reader"));
            client.send("{\"type\":\"subscribe\",\"topic\":\"" + TOPIC + "\"}");
            client.nextOfType("type", "subscribed");

            String queue = sqs.getQueueUrl(b -> b.queueName("PublishQueue")).queueUrl();
            for (int from = 0; from < PUBLICATIONS; from += 10) {
                List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
                for (int i = from; i < from + 10; i++) {
                    var body = Json.object().put("type", "numbered");
                    body.putArray("topics").add(TOPIC);
                    body.putObject("data").put("n", i);
                    entries.add(SendMessageBatchRequestEntry.builder().id("m" + i).messageBody(Json.write(body)).build());
                }
                assertEquals(10, sqs.sendMessageBatch(b -> b.queueUrl(queue).entries(entries)).successful().size());
            }

            Map<Integer, Integer> got = new HashMap<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (got.size() < PUBLICATIONS && System.nanoTime() < deadline) {
                String f = client.frames.poll(1, TimeUnit.SECONDS);
                if (f != null && f.contains("\"numbered\"")) got.merge(Json.parse(f).path("data").path("n").asInt(), 1, Integer::sum);
            }
            Thread.sleep(3000); // time for a repeat to show up, had a redelivered record been published again
            String f;
            while ((f = client.frames.poll()) != null) {
                if (f.contains("\"numbered\"")) got.merge(Json.parse(f).path("data").path("n").asInt(), 1, Integer::sum);
            }
            int lost = 0, repeated = 0;
            for (int i = 0; i < PUBLICATIONS; i++) {
                if (!got.containsKey(i)) lost++;
                else repeated += got.get(i) - 1;
            }
            int deaths = stack.sqsErrors();
            String dlq = sqs.getQueueUrl(b -> b.queueName("PublishDeadLetterQueue")).queueUrl();
            String inDlq = sqs.getQueueAttributes(b -> b.queueUrl(dlq).attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                    .attributes().get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES);
            System.out.printf("RELIABILITY sqs-consumer-death: %d publications in %d batches sent; the consumer died in %d batches"
                    + " after publishing %d of their records; lost %d, repeated %d, in the dead-letter queue %s%n",
                    PUBLICATIONS, PUBLICATIONS / 10, deaths, DyingPublishHandler.PUBLISHED_BEFORE_DYING.get(), lost, repeated, inDlq);
            assertEquals(3, deaths, "three invocations died");
            assertTrue(DyingPublishHandler.PUBLISHED_BEFORE_DYING.get() > 0, "some records were published before each death");
            assertEquals(0, lost, "publications lost");
            assertEquals(0, repeated, "publications delivered twice");
            assertEquals("0", inDlq);
            client.close();
        }
    }
}
