package io.herald.local.sqs;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/** The digests SQS returns and the SDK checks: MD5OfMessageBody and MD5OfMessageAttributes. */
final class Md5 {
    private Md5() {}

    static String ofBody(String body) {
        return hex(body.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * SQS's encoding: attributes sorted by name; each as length-prefixed name, length-prefixed data
     * type, one transport byte (1 string, 2 binary) and the length-prefixed value.
     */
    static String ofAttributes(Map<String, SqsQueue.Attribute> attributes) {
        if (attributes.isEmpty()) return null;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (var e : new TreeMap<>(attributes).entrySet()) {
            SqsQueue.Attribute a = e.getValue();
            lengthPrefixed(out, e.getKey().getBytes(StandardCharsets.UTF_8));
            lengthPrefixed(out, a.dataType().getBytes(StandardCharsets.UTF_8));
            if (a.binaryValue() != null) {
                out.write(2);
                lengthPrefixed(out, a.binaryValue());
            } else {
                out.write(1);
                lengthPrefixed(out, a.stringValue().getBytes(StandardCharsets.UTF_8));
            }
        }
        return hex(out.toByteArray());
    }

    private static void lengthPrefixed(ByteArrayOutputStream out, byte[] bytes) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(bytes.length).array());
        out.writeBytes(bytes);
    }

    private static String hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has MD5", e);
        }
    }
}
