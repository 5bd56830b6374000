package io.herald.dynamodb.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The slice of HTTP/1.1 the DynamoDB protocol needs: one request read from a keep-alive stream
 * (request line, headers, a body by Content-Length or chunked), one answer written in a single
 * write. Everything the engine does not use (paths, most headers) is read and dropped.
 */
final class Http1 {
    /** Request line and headers together; beyond it the request is refused with 431. */
    static final int MAX_HEAD = 64 * 1024;

    private Http1() {}

    /** What the engine reads of a request. {@code body} is null when it exceeded the limit (and was not read). */
    record Request(String method, String version, String target, boolean expectContinue, boolean close, long contentLength,
            boolean chunked, byte[] body) {
        boolean keepAlive() {
            return !close;
        }
    }

    /** A request that cannot be read further: answer {@code status} and close the connection. */
    static final class BadRequest extends IOException {
        final int status;

        BadRequest(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /**
     * Reads the head of one request. Returns null at a clean end of stream before any byte (the
     * client closed an idle keep-alive connection).
     */
    static Request readHead(InputStream in) throws IOException {
        int[] budget = {MAX_HEAD};
        String requestLine = line(in, budget, true);
        if (requestLine == null) return null;
        while (requestLine.isEmpty()) { // tolerated, as RFC 9112 allows, between pipelined requests
            requestLine = line(in, budget, true);
            if (requestLine == null) return null;
        }
        String[] parts = requestLine.split(" ");
        if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) throw new BadRequest(400, "Malformed request line");
        String version = parts[2];
        String target = null;
        boolean expectContinue = false;
        boolean close = version.equals("HTTP/1.0");
        long length = -1;
        boolean chunked = false;
        for (String h = line(in, budget, false); !h.isEmpty(); h = line(in, budget, false)) {
            int colon = h.indexOf(':');
            if (colon <= 0) throw new BadRequest(400, "Malformed header line");
            String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = h.substring(colon + 1).trim();
            switch (name) {
                case "x-amz-target" -> target = value;
                case "content-length" -> {
                    try {
                        long l = Long.parseLong(value);
                        if (l < 0 || (length >= 0 && length != l)) throw new NumberFormatException();
                        length = l;
                    } catch (NumberFormatException e) {
                        throw new BadRequest(400, "Invalid Content-Length");
                    }
                }
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "expect" -> expectContinue = value.equalsIgnoreCase("100-continue");
                case "connection" -> {
                    String v = value.toLowerCase(Locale.ROOT);
                    if (v.contains("close")) close = true;
                    else if (v.contains("keep-alive")) close = false;
                }
                default -> { }
            }
        }
        if (chunked && length >= 0) throw new BadRequest(400, "Both Content-Length and chunked Transfer-Encoding");
        return new Request(parts[0], version, target, expectContinue, close, length, chunked, null);
    }

    /**
     * Reads the body the head announced; null when it is larger than {@code max} (the rest is left
     * unread, so the connection must close after the answer).
     */
    static byte[] readBody(InputStream in, Request head, int max) throws IOException {
        if (head.chunked()) return readChunked(in, max);
        if (head.contentLength() <= 0) return new byte[0];
        if (head.contentLength() > max) return null;
        byte[] body = in.readNBytes((int) head.contentLength());
        if (body.length < head.contentLength()) throw new IOException("Connection closed inside the body");
        return body;
    }

    private static byte[] readChunked(InputStream in, int max) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int[] budget = {MAX_HEAD};
        while (true) {
            String sizeLine = line(in, budget, false);
            int semi = sizeLine.indexOf(';');
            long size;
            try {
                size = Long.parseLong((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
            } catch (NumberFormatException e) {
                throw new BadRequest(400, "Malformed chunk size");
            }
            if (size < 0) throw new BadRequest(400, "Malformed chunk size");
            if (size == 0) break;
            if (body.size() + size > max) return null;
            byte[] chunk = in.readNBytes((int) size);
            if (chunk.length < size) throw new IOException("Connection closed inside a chunk");
            body.write(chunk);
            line(in, budget, false); // the CRLF after the chunk
        }
        for (String trailer = line(in, budget, false); !trailer.isEmpty(); trailer = line(in, budget, false)) {
            // trailers carry nothing the engine reads
        }
        return body.toByteArray();
    }

    /** One CRLF- (or LF-) terminated line in ISO-8859-1; null at end of stream when {@code eofOk} and nothing was read. */
    private static String line(InputStream in, int[] budget, boolean eofOk) throws IOException {
        StringBuilder b = new StringBuilder(64);
        while (true) {
            int c = in.read();
            if (c == -1) {
                if (eofOk && b.length() == 0) return null;
                throw new IOException("Connection closed inside the request head");
            }
            if (--budget[0] < 0) throw new BadRequest(431, "Request head exceeds " + MAX_HEAD + " bytes");
            if (c == '\n') {
                int n = b.length();
                if (n > 0 && b.charAt(n - 1) == '\r') b.setLength(n - 1);
                return b.toString();
            }
            b.append((char) c);
        }
    }

    static void writeContinue(OutputStream out) throws IOException {
        out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Head and body in one write, so a client with Nagle's algorithm on never waits on half an answer. */
    static void writeResponse(OutputStream out, int status, String contentType, String requestId, long crc32, byte[] body, boolean close)
            throws IOException {
        StringBuilder h = new StringBuilder(160).append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n")
                .append("Content-Type: ").append(contentType).append("\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n")
                .append("x-amzn-RequestId: ").append(requestId).append("\r\n")
                .append("x-amz-crc32: ").append(crc32).append("\r\n");
        if (close) h.append("Connection: close\r\n");
        h.append("\r\n");
        byte[] head = h.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        out.write(all);
        out.flush();
    }

    static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 413 -> "Request Entity Too Large";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            default -> "Status";
        };
    }
}
