package io.herald.local;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A minimal hand-rolled WebSocket client, for what library clients will not do: send one frame
 * of exactly the size a test needs.
 */
final class RawSocket implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    RawSocket(String wsUrl) throws IOException {
        URI u = URI.create(wsUrl);
        socket = new Socket(u.getHost(), u.getPort());
        socket.setSoTimeout(10_000);
        out = socket.getOutputStream();
        in = new DataInputStream(socket.getInputStream());
        String req = "GET " + u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery()) + " HTTP/1.1\r\n"
                + "Host: " + u.getHost() + ":" + u.getPort() + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        out.write(req.getBytes(StandardCharsets.US_ASCII));
        String status = readLine();
        if (!status.contains(" 101 ")) throw new IOException("handshake failed: " + status);
        while (!readLine().isEmpty()) { } // headers
    }

    private String readLine() throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') if (c != '\r') b.append((char) c);
        return b.toString();
    }

    /** One final text frame, masked as a client must. */
    void sendTextFrame(byte[] payload) throws IOException {
        byte[] mask = {1, 2, 3, 4};
        out.write(0x81);
        if (payload.length < 126) {
            out.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            out.write(0x80 | 126);
            out.write(payload.length >>> 8);
            out.write(payload.length & 0xff);
        } else {
            out.write(0x80 | 127);
            for (int i = 7; i >= 0; i--) out.write((int) ((long) payload.length >>> (8 * i)) & 0xff);
        }
        out.write(mask);
        byte[] masked = Arrays.copyOf(payload, payload.length);
        for (int i = 0; i < masked.length; i++) masked[i] ^= mask[i % 4];
        out.write(masked);
        out.flush();
    }

    /** Reads frames until a close frame; returns its status code. */
    int awaitCloseCode() throws IOException {
        return (Integer) readUntil(true);
    }

    /** The next text frame's payload. */
    String nextText() throws IOException {
        return (String) readUntil(false);
    }

    private Object readUntil(boolean close) throws IOException {
        while (true) {
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            long len = b1 & 0x7f;
            if (len == 126) len = in.readUnsignedShort();
            else if (len == 127) len = in.readLong();
            byte[] payload = new byte[(int) len];
            in.readFully(payload);
            int opcode = b0 & 0x0f;
            if (opcode == 0x8) {
                if (!close) throw new IOException("closed while waiting for text");
                return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
            }
            if (opcode == 0x1 && !close) return new String(payload, StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
