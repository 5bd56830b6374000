package io.herald.core.service;

/**
 * The answer to a $connect: a status API Gateway turns into the handshake's HTTP status.
 *
 * @param subprotocol echoed as {@code Sec-WebSocket-Protocol} (the handshake fails in browsers otherwise)
 */
public record ConnectResult(int status, String subprotocol, String reason) {
    public static ConnectResult accepted(String subprotocol) {
        return new ConnectResult(200, subprotocol, null);
    }

    public static ConnectResult rejected(int status, String reason) {
        return new ConnectResult(status, null, reason);
    }

    public boolean ok() {
        return status / 100 == 2;
    }
}
