package io.herald.core.log;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.json.Json;

/** One structured JSON line per notable event (CloudWatch Logs on AWS, stdout locally). */
@FunctionalInterface
public interface EventLog {
    EventLog STDOUT = line -> System.out.println(Json.write(line));

    void log(ObjectNode line);

    static ObjectNode line(String event) {
        return Json.object().put("event", event);
    }
}
