package io.herald.local;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.herald.core.json.Json;
import io.herald.functions.PublishHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real PublishHandler, dying in the middle of its first {@link #DEATHS} SQS batches: it
 * publishes the first half of the records, then throws, as a container that crashes or runs out
 * of time does. Lambda then reports nothing for the batch, and every record of it comes back
 * after the visibility timeout, the published half included.
 */
public final class DyingPublishHandler implements RequestStreamHandler {
    static final AtomicInteger DEATHS = new AtomicInteger();
    /** Records published by batches that then died. */
    static final AtomicInteger PUBLISHED_BEFORE_DYING = new AtomicInteger();

    private final PublishHandler real;

    public DyingPublishHandler(Map<String, String> env) {
        this.real = new PublishHandler(env);
    }

    @Override
    public void handleRequest(InputStream in, OutputStream out, Context context) throws java.io.IOException {
        byte[] event = in.readAllBytes();
        JsonNode e = Json.parse(new String(event, StandardCharsets.UTF_8));
        JsonNode records = e.path("Records");
        if (records.size() < 2 || DEATHS.getAndUpdate(n -> Math.max(0, n - 1)) == 0) {
            real.handleRequest(new ByteArrayInputStream(event), out, context);
            return;
        }
        ArrayNode half = Json.MAPPER.createArrayNode();
        for (int i = 0; i < records.size() / 2; i++) half.add(records.get(i));
        ByteArrayOutputStream ignored = new ByteArrayOutputStream();
        real.handleRequest(new ByteArrayInputStream(Json.write(Json.object().set("Records", half)).getBytes(StandardCharsets.UTF_8)),
                ignored, context);
        PUBLISHED_BEFORE_DYING.addAndGet(half.size());
        throw new IllegalStateException("the consumer died after " + half.size() + " of " + records.size() + " records");
    }
}
