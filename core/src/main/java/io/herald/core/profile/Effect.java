package io.herald.core.profile;

import io.herald.core.model.Publication;
import java.util.List;

/** What a profile hook asks Herald to do: publish, or post a frame to connections. */
public sealed interface Effect {
    /** Fan a publication out to its subscribers, like any other. */
    record Publish(Publication publication) implements Effect {}

    /** Post one frame to each of these connections (one encoding shared by all). */
    record Send(List<String> connectionIds, String frame) implements Effect {
        public Send {
            connectionIds = List.copyOf(connectionIds);
        }
    }

    static Effect send(String connectionId, String frame) {
        return new Send(List.of(connectionId), frame);
    }
}
