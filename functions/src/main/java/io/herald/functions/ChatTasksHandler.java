package io.herald.functions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.json.Json;
import io.herald.core.service.EventLog;
import io.herald.core.service.Services;
import java.util.Map;

/** The chat's delayed tasks (typing expiry) from their SQS queue; failed ones go back to the queue. */
public final class ChatTasksHandler extends JsonStreamHandler {
    public ChatTasksHandler() {
        this(Herald.fromEnvironment(Herald.Tokens.UNUSED));
    }

    public ChatTasksHandler(Map<String, String> env) {
        this(Herald.fromEnv(env, Herald.Tokens.UNUSED));
    }

    public ChatTasksHandler(Services herald) {
        super(herald);
    }

    @Override
    protected JsonNode handle(JsonNode event) {
        ObjectNode out = Json.object();
        ArrayNode failures = out.putArray("batchItemFailures");
        for (JsonNode r : event.path("Records")) {
            String messageId = Json.text(r, "messageId");
            try {
                if (herald.chat == null) throw new IllegalStateException("no chat table configured (HERALD_CHAT_TABLE)");
                herald.chat.onTask(Json.parse(r.path("body").asText("")), herald.context, herald.clock.instant());
            } catch (RuntimeException e) {
                EventLog.STDOUT.log(EventLog.line("chat_task_failed").put("messageId", messageId)
                        .put("error", e.getClass().getSimpleName() + ": " + e.getMessage()));
                failures.addObject().put("itemIdentifier", messageId);
            }
        }
        return out;
    }
}
