package io.herald.local;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal hand-rolled WebSocket client, for what library clients will not do: send one frame
 * of exactly the size a test needs.
 */
final class RawSocket implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    /** The 101 response's headers, names lower-cased. */
    final Map<String, String> responseHeaders = new LinkedHashMap<>();
    /** Payload sizes of the data frames (text, binary, continuation) read so far, in order. */
    final List<Integer> frameSizes = new ArrayList<>();

    RawSocket(String wsUrl) throws IOException {
        this(wsUrl, Map.of());
    }

    /** Opens the socket with extra handshake headers (e.g. an extension offer). */
    RawSocket(String wsUrl, Map<String, String> extraHeaders) throws IOException {
        this(wsUrl, extraHeaders, 0);
    }

    /** With a receive buffer of {@code receiveBuffer} bytes (0: the system's), set before connecting so the window follows it. */
    RawSocket(String wsUrl, Map<String, String> extraHeaders, int receiveBuffer) throws IOException {
        URI u = URI.create(wsUrl);
        socket = new Socket();
        if (receiveBuffer > 0) socket.setReceiveBufferSize(receiveBuffer);
        socket.connect(new java.net.InetSocketAddress(u.getHost(), u.getPort()));
        socket.setSoTimeout(10_000);
        out = socket.getOutputStream();
        in = new DataInputStream(socket.getInputStream());
        String req = "GET " + u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery()) + " HTTP/1.1\r\n"
                + "Host: " + u.getHost() + ":" + u.getPort() + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
        StringBuilder extra = new StringBuilder();
        extraHeaders.forEach((k, v) -> extra.append(k).append(": ").append(v).append("\r\n"));
        req += extra + "\r\n";
        out.write(req.getBytes(StandardCharsets.US_ASCII));
        String status = readLine();
        if (!status.contains(" 101 ")) throw new IOException("handshake failed: " + status);
        for (String h = readLine(); !h.isEmpty(); h = readLine()) {
            int colon = h.indexOf(':');
            if (colon > 0) responseHeaders.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
        }
    }

    private String readLine() throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') if (c != '\r') b.append((char) c);
        return b.toString();
    }

    /** One final text frame, masked as a client must. */
    void sendTextFrame(byte[] payload) throws IOException {
        sendFrame(0x1, payload);
    }

    /** One final frame with the given opcode (0x1 text, 0x2 binary), masked as a client must. */
    void sendFrame(int opcode, byte[] payload) throws IOException {
        byte[] mask = {1, 2, 3, 4};
        out.write(0x80 | opcode);
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

    /** The next text message's payload, its fragments joined. */
    String nextText() throws IOException {
        return (String) readUntil(false);
    }

    private Object readUntil(boolean close) throws IOException {
        java.io.ByteArrayOutputStream message = null;
        while (true) {
            int b0 = in.readUnsignedByte();
            if ((b0 & 0x70) != 0) throw new IOException("RSV bits set: an extension (compression) is in use");
            int b1 = in.readUnsignedByte();
            long len = b1 & 0x7f;
            if (len == 126) len = in.readUnsignedShort();
            else if (len == 127) len = in.readLong();
            byte[] payload = new byte[(int) len];
            in.readFully(payload);
            int opcode = b0 & 0x0f;
            boolean fin = (b0 & 0x80) != 0;
            if (opcode == 0x8) {
                if (!close) throw new IOException("closed while waiting for text");
                return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
            }
            if (opcode <= 0x2) frameSizes.add(payload.length);
            if (opcode == 0x1) message = new java.io.ByteArrayOutputStream();
            if ((opcode == 0x1 || opcode == 0x0) && message != null) {
                message.write(payload);
                if (fin && !close) return message.toString(StandardCharsets.UTF_8);
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
