package io.herald.local.gateway;

import io.herald.core.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Reading and answering Jetty core requests. */
public final class HttpIo {
    private HttpIo() {}

    public static byte[] body(Request request, int limit) throws IOException {
        try (InputStream in = Request.asInputStream(request)) {
            return in.readNBytes(limit + 1);
        }
    }

    public static boolean respond(Response response, Callback callback, int status, String contentType,
            Map<String, String> headers, byte[] body) {
        response.setStatus(status);
        if (contentType != null) response.getHeaders().put("Content-Type", contentType);
        headers.forEach((k, v) -> response.getHeaders().put(k, v));
        response.write(true, body == null ? ByteBuffer.allocate(0) : ByteBuffer.wrap(body), callback);
        return true;
    }

    public static boolean json(Response response, Callback callback, int status, Object body) {
        String text = body instanceof String s ? s : Json.write(Json.MAPPER.valueToTree(body));
        return respond(response, callback, status, "application/json", Map.of(), text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * 404 for a path nothing serves, after reading what the client sent (up to 1 MiB): Jetty closes
     * a keep-alive connection whose request body was left unread, and a client reusing it would
     * see its next request fail.
     */
    public static boolean notFound(Request request, Response response, Callback callback) throws IOException {
        body(request, 1 << 20);
        return json(response, callback, 404, "{\"message\":\"Not Found\"}");
    }

    /** An AWS-style error: the SDKs pick the exception class from x-amzn-ErrorType. */
    public static boolean awsError(Response response, Callback callback, int status, String type, String message) {
        String body = Json.write(Json.object().put("message", message));
        return respond(response, callback, status, "application/json", Map.of("x-amzn-ErrorType", type),
                body.getBytes(StandardCharsets.UTF_8));
    }
}
