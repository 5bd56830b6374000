package io.herald.dynamodb.storage;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Stream labels are the stream's creation time, ISO-8601 with milliseconds, as DynamoDB writes them. */
final class Labels {
    private static final DateTimeFormatter LABEL = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private Labels() {}

    static String streamLabel(long millis) {
        return LABEL.format(Instant.ofEpochMilli(millis));
    }
}
