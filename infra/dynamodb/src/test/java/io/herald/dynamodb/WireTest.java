package io.herald.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bad input on the wire gets AWS's error shape, never a stack trace, and the server keeps serving. */
class WireTest {
    static DynamoDbEngine engine;
    static HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        engine = DynamoDbEngine.builder().start();
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    static HttpResponse<String> post(String target, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(engine.endpoint() + "/"))
                .header("Content-Type", "application/x-amz-json-1.0").POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (target != null) b.header("X-Amz-Target", target);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static void assertStillServing() throws Exception {
        HttpResponse<String> r = post("DynamoDB_20120810.ListTables", "{}".getBytes());
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("TableNames"));
    }

    @Test
    void malformedJsonIsASerializationError() throws Exception {
        HttpResponse<String> r = post("DynamoDB_20120810.PutItem", "{\"TableName\": \"x\", ".getBytes());
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("\"__type\":\"com.amazon.coral.service#SerializationException\""), r.body());
        assertStillServing();
    }

    @Test
    void unknownOrMissingTargetIsUnknownOperation() throws Exception {
        for (String target : new String[] {"DynamoDB_20120810.DropEverything", null}) {
            HttpResponse<String> r = post(target, "{}".getBytes());
            assertEquals(400, r.statusCode());
            assertTrue(r.body().contains("UnknownOperationException"), r.body());
        }
        assertStillServing();
    }

    @Test
    void everyOperationIsDispatched() throws Exception {
        // the targets the engine serves, written out here so a name dropped from the dispatch fails
        String[] dynamo = {"CreateTable", "DescribeTable", "ListTables", "DeleteTable", "UpdateTable", "UpdateTimeToLive",
                "DescribeTimeToLive", "TagResource", "UntagResource", "ListTagsOfResource", "PutItem", "GetItem",
                "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem", "TransactWriteItems",
                "TransactGetItems", "ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction",
                "DescribeEndpoints", "DescribeLimits"};
        String[] streams = {"ListStreams", "DescribeStream", "GetShardIterator", "GetRecords"};
        java.util.List<String> targets = new java.util.ArrayList<>();
        for (String op : dynamo) targets.add("DynamoDB_20120810." + op);
        for (String op : streams) targets.add("DynamoDBStreams_20120810." + op);
        for (String target : targets) {
            HttpResponse<String> r = post(target, "{}".getBytes());
            // an empty request is either served (ListTables, DescribeLimits, ...) or refused as DynamoDB would
            assertTrue(r.statusCode() == 200 || r.statusCode() == 400, target + ": " + r.statusCode() + " " + r.body());
            assertFalse(r.body().contains("UnknownOperationException"), target + ": " + r.body());
            assertFalse(r.body().contains("InternalServerError"), target + ": " + r.body());
        }
        assertStillServing();
    }

    @Test
    void hugeBodyIsRefusedWith413() throws Exception {
        byte[] body = new byte[17 * 1024 * 1024];
        java.util.Arrays.fill(body, (byte) ' ');
        HttpResponse<String> r = post("DynamoDB_20120810.PutItem", body);
        assertEquals(413, r.statusCode());
        assertTrue(r.body().contains("__type"), r.body());
        assertStillServing();
    }

    @Test
    void wrongJsonTypesAreClientErrorsNotCrashes() throws Exception {
        String[] bodies = {
            "[1,2]",
            "{\"TableName\": 5}",
            "{\"TableName\": \"t\", \"Item\": {\"a\": {\"S\": 1}}}",
            "{\"TableName\": \"t\", \"Item\": {\"a\": {\"N\": \"1e99999\"}}}",
            "{\"TableName\": \"t\", \"Item\": {\"a\": {\"B\": \"***\"}}}",
            "{\"TableName\": \"t\", \"Item\": {\"a\": {}}}",
            "{\"TableName\": \"t\", \"Item\": [1]}",
        };
        for (String b : bodies) {
            HttpResponse<String> r = post("DynamoDB_20120810.PutItem", b.getBytes());
            assertEquals(400, r.statusCode(), b + " → " + r.body());
            assertTrue(r.body().startsWith("{\"__type\":"), b + " → " + r.body());
        }
        assertStillServing();
    }

    // ---- HTTP/1.1 on a raw socket: what SDKs and CLIs send besides the one-request-per-connection case

    static Socket socket() throws Exception {
        Socket s = new Socket("127.0.0.1", engine.port());
        s.setSoTimeout(5000);
        return s;
    }

    static String request(String target, String body, String... extraHeaders) {
        StringBuilder b = new StringBuilder("POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\n");
        if (target != null) b.append("X-Amz-Target: ").append(target).append("\r\n");
        for (String h : extraHeaders) b.append(h).append("\r\n");
        if (body != null) b.append("Content-Length: ").append(body.getBytes(StandardCharsets.UTF_8).length).append("\r\n\r\n").append(body);
        else b.append("\r\n");
        return b.toString();
    }

    /** Reads one answer: status line, headers (lower-cased names), body by Content-Length. */
    record Answer(int status, Map<String, String> headers, String body) {}

    static Answer read(InputStream in) throws Exception {
        String status = line(in);
        assertNotNull(status, "connection closed before an answer");
        Map<String, String> headers = new HashMap<>();
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
            int colon = h.indexOf(':');
            headers.put(h.substring(0, colon).trim().toLowerCase(), h.substring(colon + 1).trim());
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        return new Answer(Integer.parseInt(status.split(" ")[1]), headers, new String(in.readNBytes(length), StandardCharsets.UTF_8));
    }

    static String line(InputStream in) throws Exception {
        StringBuilder b = new StringBuilder();
        for (int c = in.read(); c != -1; c = in.read()) {
            if (c == '\n') return b.toString().replace("\r", "");
            b.append((char) c);
        }
        return b.length() == 0 ? null : b.toString();
    }

    @Test
    void keepAliveServesPipelinedRequestsInOrderOnOneConnection() throws Exception {
        try (Socket s = socket()) {
            String three = request("DynamoDB_20120810.ListTables", "{}") + request("DynamoDB_20120810.Nope", "{}")
                    + request("DynamoDB_20120810.ListTables", "{\"Limit\": 1}");
            s.getOutputStream().write(three.getBytes(StandardCharsets.UTF_8));
            InputStream in = new BufferedInputStream(s.getInputStream());
            Answer a = read(in), b = read(in), c = read(in);
            assertEquals(200, a.status());
            assertTrue(a.body().contains("TableNames"), a.body());
            assertEquals(400, b.status());
            assertTrue(b.body().contains("UnknownOperationException"), b.body());
            assertEquals(200, c.status());
            assertNotNull(a.headers().get("x-amzn-requestid"));
            assertNotEquals(a.headers().get("x-amzn-requestid"), c.headers().get("x-amzn-requestid"));
            // the CRC the SDKs check is of the body as sent
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(a.body().getBytes(StandardCharsets.UTF_8));
            assertEquals(Long.toString(crc.getValue()), a.headers().get("x-amz-crc32"));
        }
    }

    @Test
    void chunkedBodiesAndExpectContinueAreRead() throws Exception {
        try (Socket s = socket()) {
            String head = "POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n";
            s.getOutputStream().write((head + "3\r\n{\"L\r\n9;ext=1\r\nimit\": 2}\r\n0\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            InputStream in = new BufferedInputStream(s.getInputStream());
            Answer a = read(in);
            assertEquals(200, a.status(), a.body());
            assertTrue(a.body().contains("TableNames"), a.body());

            s.getOutputStream().write(request("DynamoDB_20120810.ListTables", null, "Expect: 100-continue", "Content-Length: 2").getBytes());
            assertEquals("HTTP/1.1 100 Continue", line(in)); // the client may now send the body
            assertEquals("", line(in));
            s.getOutputStream().write("{}".getBytes());
            assertEquals(200, read(in).status());
        }
    }

    @Test
    void http10AndConnectionCloseEndTheConnectionAfterTheAnswer() throws Exception {
        for (String req : new String[] {
            request("DynamoDB_20120810.ListTables", "{}", "Connection: close"),
            request("DynamoDB_20120810.ListTables", "{}").replace("HTTP/1.1", "HTTP/1.0")}) {
            try (Socket s = socket()) {
                s.getOutputStream().write(req.getBytes());
                InputStream in = new BufferedInputStream(s.getInputStream());
                Answer a = read(in);
                assertEquals(200, a.status());
                assertEquals("close", a.headers().get("connection"));
                assertEquals(-1, in.read(), "the engine closes the connection");
            }
        }
    }

    @Test
    void malformedHeadsAreRefusedAndTheConnectionClosed() throws Exception {
        String[] bad = {
            "GARBAGE\r\n\r\n",
            "POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
            "POST / HTTP/1.1\r\nX-Big: " + "a".repeat(70_000) + "\r\n\r\n",
        };
        int[] expected = {400, 400, 431};
        for (int i = 0; i < bad.length; i++) {
            try (Socket s = socket()) {
                s.getOutputStream().write(bad[i].getBytes());
                InputStream in = new BufferedInputStream(s.getInputStream());
                Answer a = read(in);
                assertEquals(expected[i], a.status(), a.body());
                assertTrue(a.body().startsWith("{\"__type\":"), a.body());
                assertEquals(-1, in.read());
            }
        }
        assertStillServing();
    }

    @Test
    void aClientStalledMidRequestDoesNotHoldUpOthers() throws Exception {
        try (Socket stalled = socket()) {
            // announces 100 bytes and sends 10: its thread waits for the rest, nobody else does
            stalled.getOutputStream().write(request("DynamoDB_20120810.ListTables", null, "Content-Length: 100").concat("{\"Limit\":1").getBytes());
            for (int i = 0; i < 20; i++) assertStillServing();
        }
    }

    @Test
    void atTheConnectionLimitIdleConnectionsMakeRoomAndBusyOnesAreKept() throws Exception {
        try (DynamoDbEngine small = DynamoDbEngine.builder().threads(2).start();
                Socket idle = new Socket("127.0.0.1", small.port()); Socket busy = new Socket("127.0.0.1", small.port())) {
            for (Socket s : new Socket[] {idle, busy}) {
                s.setSoTimeout(5000);
                s.getOutputStream().write(request("DynamoDB_20120810.ListTables", "{}").getBytes());
                assertEquals(200, read(new BufferedInputStream(s.getInputStream())).status());
            }
            // mid-request: half a body sent, so its thread is busy and must not be taken away
            busy.getOutputStream().write(request("DynamoDB_20120810.ListTables", null, "Content-Length: 12").concat("{\"Limit\"").getBytes());
            awaitRequestsInProgress(small, 1); // the engine has the first bytes: a request has begun on it
            try (Socket third = new Socket("127.0.0.1", small.port())) {
                third.setSoTimeout(5000);
                third.getOutputStream().write(request("DynamoDB_20120810.ListTables", "{}").getBytes());
                assertEquals(200, read(new BufferedInputStream(third.getInputStream())).status(), "served in the idle one's place");
                assertEquals(-1, idle.getInputStream().read(), "the idle connection was closed to make room");
                try (Socket fourth = new Socket("127.0.0.1", small.port())) {
                    fourth.setSoTimeout(5000);
                    // third is idle again and gives way; busy still holds its slot
                    fourth.getOutputStream().write(request("DynamoDB_20120810.ListTables", "{}").getBytes());
                    assertEquals(200, read(new BufferedInputStream(fourth.getInputStream())).status());
                }
            }
            busy.getOutputStream().write(": 1}".getBytes());
            Answer a = read(new BufferedInputStream(busy.getInputStream()));
            assertEquals(200, a.status(), "the request in flight was finished, not cut: " + a.body());
        }
    }

    @Test
    void whenEveryConnectionIsMidRequestANewOneGets503() throws Exception {
        try (DynamoDbEngine small = DynamoDbEngine.builder().threads(1).start(); Socket busy = new Socket("127.0.0.1", small.port())) {
            busy.getOutputStream().write(request("DynamoDB_20120810.ListTables", null, "Content-Length: 11").concat("{\"Limit\"").getBytes());
            awaitRequestsInProgress(small, 1); // the engine has read the head and waits for the body
            try (Socket refused = new Socket("127.0.0.1", small.port())) {
                refused.setSoTimeout(5000);
                Answer a = read(new BufferedInputStream(refused.getInputStream()));
                assertEquals(503, a.status());
                assertEquals("close", a.headers().get("connection"));
            }
        }
    }

    static void awaitRequestsInProgress(DynamoDbEngine engine, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (engine.requestsInProgress() < n) {
            assertTrue(System.nanoTime() < deadline, "no request began within 10 s");
            Thread.sleep(5);
        }
    }
}
