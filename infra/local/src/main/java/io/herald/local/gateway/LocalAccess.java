package io.herald.local.gateway;

import java.util.Set;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Who may use the stack's local-only parts (the console's demo token, the Management API, the
 * EventBridge and SQS endpoints). The server listens on loopback only, but a web page can still
 * reach it through DNS rebinding: its own name resolving to 127.0.0.1. The Host header gives that
 * away, so requests naming any host but this machine are refused.
 */
public final class LocalAccess {
    private static final Set<String> LOCAL_HOSTS = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

    private LocalAccess() {}

    public static boolean hostIsLocal(Request request) {
        String host = request.getHttpURI().getHost();
        return host != null && LOCAL_HOSTS.contains(host.toLowerCase(java.util.Locale.ROOT));
    }

    public static boolean refuse(Response response, Callback callback) {
        return HttpIo.json(response, callback, 403,
                "{\"message\":\"Forbidden: this endpoint answers requests addressed to localhost, 127.0.0.1 or [::1] only\"}");
    }

    /**
     * Whether the request carries a SigV4 signature (header or presigned query). The signature is
     * not verified: locally any credentials pass.
     */
    static boolean signed(Request request) {
        String auth = request.getHeaders().get("Authorization");
        if (auth != null && auth.startsWith("AWS4-HMAC-SHA256 ")) return true;
        String query = request.getHttpURI().getQuery();
        return query != null && query.contains("X-Amz-Signature=");
    }
}
