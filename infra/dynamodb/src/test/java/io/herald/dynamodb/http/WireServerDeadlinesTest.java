package io.herald.dynamodb.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.dynamodb.api.Api;
import io.herald.dynamodb.storage.Database;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The two clocks of a connection, with short deadlines (idle 1 s, a whole request 3 s): an
 * idle keep-alive connection is closed, a request trickled past its deadline is cut off, and a
 * client that keeps to them is served on one connection however long it stays. The bounds leave
 * seconds of slack for a loaded machine; what each test rules out (no close at all, a close at the
 * wrong clock, a close of a compliant client) lies further away.
 */
class WireServerDeadlinesTest {
    static final int IDLE = 1_000;
    static final int REQUEST = 3_000;

    WireServer server;

    @BeforeEach
    void start() throws IOException {
        server = new WireServer(new Api(Database.inMemory("us-east-1", System::currentTimeMillis)), "127.0.0.1", 0, 16, IDLE, REQUEST);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static byte[] listTables() {
        return ("POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n"
                + "Content-Type: application/x-amz-json-1.0\r\nContent-Length: 2\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII);
    }

    /** Reads one answer's status line and drops the rest of it (head and a Content-Length body). */
    static String answer(InputStream in) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.ISO_8859_1), 1);
        String status = r.readLine();
        int length = 0;
        for (String h = r.readLine(); h != null && !h.isEmpty(); h = r.readLine()) {
            if (h.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(h.substring(15).trim());
        }
        for (int i = 0; i < length; i++) r.read();
        return status;
    }

    /** Milliseconds until the server closes the connection (end of stream or reset), at most 10 s. */
    static long millisUntilClosed(Socket s) throws IOException {
        s.setSoTimeout(10_000);
        long t0 = System.nanoTime();
        try {
            assertEquals(-1, s.getInputStream().read(), "the server sent something instead of closing");
        } catch (SocketException reset) {
            // closed with unread data: a reset is a close too
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @Test
    void anIdleConnectionIsClosedAfterTheIdleDeadline() throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.getOutputStream().write(listTables());
            assertEquals("HTTP/1.1 200 OK", answer(s.getInputStream()));
            long ms = millisUntilClosed(s);
            // the server's clock starts before ours (when it wrote the answer): hence half the deadline below
            assertTrue(ms >= IDLE / 2 && ms < IDLE + 2_500, "closed after " + ms + " ms idle, deadline " + IDLE);
        }
    }

    @Test
    void aRequestTrickledPastItsDeadlineIsCutOff() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            OutputStream out = s.getOutputStream();
            byte[] req = listTables();
            out.write(req, 0, 20); // a request has begun
            long t0 = System.nanoTime();
            // a byte every 200 ms keeps the connection from ever being idle, but the whole request is late
            try {
                for (int i = 20; i < req.length - 1; i++) {
                    Thread.sleep(200);
                    out.write(req[i]);
                }
            } catch (SocketException closed) {
                // the server closed it while we were still sending: what this test wants
            }
            long ms = (System.nanoTime() - t0) / 1_000_000 + millisUntilClosed(s);
            // uncut, the trickle would take about 20 s and then be answered
            assertTrue(ms < REQUEST + 3_000, "cut off after " + ms + " ms, deadline " + REQUEST);
        }
    }

    @Test
    void aClientKeepingToTheDeadlinesIsServedOnOneConnection() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(5_000);
            for (int i = 0; i < 12; i++) { // 12 × 300 ms: longer than either deadline in all
                s.getOutputStream().write(listTables());
                assertEquals("HTTP/1.1 200 OK", answer(s.getInputStream()), "request " + i);
                Thread.sleep(300);
            }
        }
    }
}
