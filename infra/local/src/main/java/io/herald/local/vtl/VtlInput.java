package io.herald.local.vtl;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.json.Json;

/** {@code $input}: the message body, {@code $input.json('$.x')} and {@code $input.path('$.x')}. */
public final class VtlInput {
    private final String body;
    private volatile JsonNode parsed;

    VtlInput(String body) {
        this.body = body;
    }

    public String getBody() {
        return body;
    }

    /** The selected value as JSON text; a path that selects nothing gives an empty string. */
    public String json(String path) {
        JsonNode n = JsonPath.select(tree(), path);
        return n.isMissingNode() ? "" : Json.write(n);
    }

    /** The selected value as an object a template can walk (maps, lists, strings, numbers). */
    public Object path(String path) {
        return VtlUtil.plain(JsonPath.select(tree(), path));
    }

    private JsonNode tree() {
        JsonNode t = parsed;
        if (t == null) {
            try {
                t = Json.parse(body);
            } catch (Json.MalformedJsonException e) {
                t = com.fasterxml.jackson.databind.node.MissingNode.getInstance(); // not JSON: every path selects nothing
            }
            parsed = t;
        }
        return t;
    }
}
