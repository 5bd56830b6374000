package io.herald.local.gateway;

import io.herald.core.json.Json;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The Management API at /{stage}/@connections/{id}: POST sends, GET describes, DELETE closes.
 * Errors carry x-amzn-ErrorType so the AWS SDKs raise GoneException, PayloadTooLargeException, ...
 */
public final class ManagementApi {
    /**
     * Failures to inject into PostToConnection (tests, benchmarks): the HTTP status API Gateway
     * would answer instead of delivering (429 throttled, 500), or 0 to deliver.
     */
    @FunctionalInterface
    public interface Faults {
        Faults NONE = id -> 0;

        int statusFor(String connectionId);
    }

    private final WebSocketGateway gateway;
    private final String prefix;
    private volatile Faults faults = Faults.NONE;

    public void faults(Faults faults) {
        this.faults = faults == null ? Faults.NONE : faults;
    }

    public ManagementApi(WebSocketGateway gateway, String stage) {
        this.gateway = gateway;
        this.prefix = "/" + stage + "/@connections/";
    }

    public boolean handles(Request request) {
        return request.getHttpURI().getPath().startsWith(prefix);
    }

    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (!LocalAccess.signed(request)) {
            // what execute-api answers a request without SigV4: the SDKs always sign, a bare curl does not
            return HttpIo.awsError(response, callback, 403, "MissingAuthenticationTokenException", "Missing Authentication Token");
        }
        // the raw path: an id may hold characters the SDK percent-encodes (=, and / or + in other alphabets)
        String raw = request.getHttpURI().getPath().substring(prefix.length());
        String id = URLDecoder.decode(raw, StandardCharsets.UTF_8);
        Optional<LocalConnection> found = gateway.find(id).filter(c -> c.state == LocalConnection.State.OPEN);
        switch (request.getMethod()) {
            case "POST" -> {
                gateway.metrics().posted();
                byte[] body = HttpIo.body(request, WebSocketGateway.MAX_MESSAGE);
                if (body.length > WebSocketGateway.MAX_MESSAGE) {
                    return HttpIo.awsError(response, callback, 413, "PayloadTooLargeException", "Request entity too large");
                }
                if (found.isEmpty()) return gone(response, callback);
                int injected = faults.statusFor(id);
                if (injected == 429) return HttpIo.awsError(response, callback, 429, "LimitExceededException", "Too Many Requests");
                if (injected != 0) return HttpIo.awsError(response, callback, injected, "InternalServerErrorException", "Internal server error");
                return switch (found.get().send(new String(body, StandardCharsets.UTF_8))) {
                    case SENT -> HttpIo.respond(response, callback, 200, null, java.util.Map.of(), null);
                    case NOT_OPEN -> gone(response, callback);
                    // the socket is still open: a failed write is not "gone" (that would make the caller
                    // forget a live connection); 500 is retryable, as API Gateway's own internal errors are
                    case FAILED -> HttpIo.awsError(response, callback, 500, "InternalServerErrorException", "Internal server error");
                    // a client that stopped reading: refused while its buffer is full, as API Gateway does
                    case FULL -> HttpIo.awsError(response, callback, 429, "LimitExceededException", "Too Many Requests");
                };
            }
            case "GET" -> {
                if (found.isEmpty()) return gone(response, callback);
                LocalConnection c = found.get();
                // the wire names of the service model (connectedAt, identity.sourceIp, ...), ISO-8601 times
                var out = Json.object().put("connectedAt", DateTimeFormatter.ISO_INSTANT.format(c.connectedAt));
                out.putObject("identity").put("sourceIp", c.sourceIp).put("userAgent", c.userAgent);
                out.put("lastActiveAt", DateTimeFormatter.ISO_INSTANT.format(c.lastActiveAt));
                return HttpIo.json(response, callback, 200, out);
            }
            case "DELETE" -> {
                if (found.isEmpty()) return gone(response, callback);
                // gone from now on, as on AWS: a GET or POST racing the close handshake must not find it open
                found.get().state = LocalConnection.State.CLOSED;
                found.get().close(1000, "");
                return HttpIo.respond(response, callback, 204, null, java.util.Map.of(), null);
            }
            default -> {
                return HttpIo.awsError(response, callback, 405, "MethodNotAllowedException", "Method not allowed");
            }
        }
    }

    private boolean gone(Response response, Callback callback) {
        gateway.metrics().gone();
        return HttpIo.awsError(response, callback, 410, "GoneException", null);
    }
}
