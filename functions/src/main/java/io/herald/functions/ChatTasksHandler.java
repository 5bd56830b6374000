package io.herald.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.json.Json;
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
    protected JsonNode handle(JsonNode event, Context context) {
        return SqsBatch.handle(event.path("Records"), "chat_task_failed", (r, id) -> {
            if (herald.chat == null) throw new IllegalStateException("no chat table configured (HERALD_CHAT_TABLE)");
            herald.chat.onTask(Json.parse(r.path("body").asText("")), herald.context, herald.clock.instant());
        }, null);
    }
}
