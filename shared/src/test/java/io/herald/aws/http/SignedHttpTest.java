package io.herald.aws.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SignedHttpTest {
    @Test
    void the_jdk_should_be_told_not_to_resend_posts_unless_the_operator_said_otherwise() {
        String before = System.getProperty(SignedHttp.RETRY_POST);
        try {
            System.clearProperty(SignedHttp.RETRY_POST);
            SignedHttp.noSilentRetries();
            assertEquals("false", System.getProperty(SignedHttp.RETRY_POST));

            System.setProperty(SignedHttp.RETRY_POST, "true"); // -Dsun.net.http.retryPost=true on the command line
            SignedHttp.noSilentRetries();
            assertEquals("true", System.getProperty(SignedHttp.RETRY_POST));
        } finally {
            if (before == null) System.clearProperty(SignedHttp.RETRY_POST);
            else System.setProperty(SignedHttp.RETRY_POST, before);
        }
    }
}
