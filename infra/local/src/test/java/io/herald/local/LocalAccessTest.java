package io.herald.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Management API answers an unsigned request as execute-api does, and the stack's local-only
 * parts (the console's demo token, Management API, EventBridge, SQS) refuse requests addressed to
 * another host name: a web page reaching the stack through DNS rebinding gets nothing. Raw HTTP,
 * because a browser under rebinding sends exactly such a Host header, which the JDK client will not.
 */
class LocalAccessTest {
    @TempDir
    static Path dir;
    static LocalStack stack;

    @BeforeAll
    static void start() throws Exception {
        stack = MiniTemplate.start(dir, MiniTemplate.with("""
                  Jobs:
                    Type: AWS::SQS::Queue
                """));
    }

    @AfterAll
    static void stop() {
        if (stack != null) stack.close();
    }

    /** One HTTP/1.1 exchange; the whole response as text. */
    static String http(String method, String path, String host, String extraHeaders, String body) throws Exception {
        try (Socket s = new Socket("127.0.0.1", stack.port())) {
            OutputStream out = s.getOutputStream();
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            out.write((method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n" + extraHeaders
                    + "Content-Length: " + b.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(b);
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            return all.toString(StandardCharsets.UTF_8);
        }
    }

    static int status(String response) {
        return Integer.parseInt(response.substring(9, 12));
    }

    @Test
    void an_unsigned_management_call_should_get_missing_authentication_token() throws Exception {
        String r = http("POST", "/ws/@connections/abc%3D", "localhost", "", "{}");
        assertEquals(403, status(r));
        assertTrue(r.contains("x-amzn-ErrorType: MissingAuthenticationTokenException"), r);
        assertTrue(r.contains("{\"message\":\"Missing Authentication Token\"}"), r);
        String signed = http("POST", "/ws/@connections/abc%3D", "localhost", "Authorization: " + CapturingHandler.SIGNED + "\r\n", "{}");
        assertEquals(410, status(signed), "signed with any credentials: on to the connection, which is gone");
    }

    @Test
    void the_demo_token_should_be_the_one_the_page_was_made_with_a_second_later_too() throws Exception {
        // regression: demoToken() made a new token per call, whose expiry second differed from the
        // page's once a second had passed since the start (LocalAccessTest failed in CI that way)
        String first = stack.demoToken();
        Thread.sleep(1_100);
        assertEquals(first, stack.demoToken());
        assertTrue(http("GET", "/", "localhost:" + stack.port(), "", "").contains(first));
    }

    @Test
    void the_console_should_hand_its_demo_token_only_to_this_machine() throws Exception {
        String token = stack.demoToken();
        for (String host : new String[] {"localhost:" + stack.port(), "127.0.0.1", "[::1]:" + stack.port()}) {
            assertTrue(http("GET", "/", host, "", "").contains(token), host);
        }
        String rebound = http("GET", "/", "attacker.example:" + stack.port(), "", "");
        assertEquals(200, status(rebound));
        assertFalse(rebound.contains(token), "a page reached under another name gets no token");
    }

    @Test
    void the_local_only_endpoints_should_refuse_another_host() throws Exception {
        String sqs = "X-Amz-Target: AmazonSQS.GetQueueUrl\r\nContent-Type: application/x-amz-json-1.0\r\n";
        String eb = "X-Amz-Target: AWSEvents.PutEvents\r\nContent-Type: application/x-amz-json-1.1\r\n";
        String signed = "Authorization: " + CapturingHandler.SIGNED + "\r\n";
        assertEquals(200, status(http("POST", "/", "localhost", sqs, "{\"QueueName\":\"Jobs\"}")));
        assertEquals(403, status(http("POST", "/", "attacker.example", sqs, "{\"QueueName\":\"Jobs\"}")));
        assertEquals(403, status(http("POST", "/", "attacker.example", eb, "{\"Entries\":[]}")));
        assertEquals(403, status(http("GET", "/ws/@connections/abc", "attacker.example", signed, "")));
        assertEquals(410, status(http("GET", "/ws/@connections/abc", "127.0.0.1:" + stack.port(), signed, "")));
    }
}
