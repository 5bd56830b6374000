package io.herald.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.json.Json;
import java.net.http.WebSocket;
import java.util.concurrent.CompletionStage;

/**
 * A WebSocket listener that hands each whole text message, parsed, to {@link #onMessage}, with the
 * time its last part arrived (a message may come in several parts, as API Gateway splits large
 * ones into frames). The bench's clients differ only in what they do with a message.
 */
abstract class JsonFrames implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    /** One whole message; {@code receivedNanos} is {@link System#nanoTime()} when it was complete. */
    abstract void onMessage(WebSocket ws, JsonNode message, long receivedNanos);

    @Override
    public final CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        long now = System.nanoTime();
        partial.append(data);
        if (last) {
            JsonNode m = Json.parse(partial.toString());
            partial.setLength(0);
            onMessage(ws, m, now);
        }
        ws.request(1);
        return null;
    }
}
