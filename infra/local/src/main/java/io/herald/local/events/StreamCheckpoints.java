package io.herald.local.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * How far each stream event source has got, kept in the stack's data directory the way Lambda keeps
 * an event source mapping's position: a restarted stack resumes after the last record a function
 * took, neither replaying the stream nor skipping what was written while it was down. Without a
 * data directory the positions live in memory, as the engine's streams do.
 *
 * <p>Saved after each delivered batch by write-then-rename: a kill between a delivery and its save
 * costs that batch a second delivery, never a loss (Lambda's guarantee is at least once too).
 */
public final class StreamCheckpoints {
    static final String FILE = "herald-local-stream-positions.json";

    private final Path file; // null: memory only
    /** stream ARN -> shard id -> sequence number of the last record delivered */
    private final Map<String, Map<String, String>> positions = new TreeMap<>();

    private StreamCheckpoints(Path file) {
        this.file = file;
    }

    public static StreamCheckpoints inMemory() {
        return new StreamCheckpoints(null);
    }

    /** Positions kept in {@code dataDir}; an unreadable file is reported and set aside, so streams replay from their start. */
    public static StreamCheckpoints open(Path dataDir) {
        StreamCheckpoints c = new StreamCheckpoints(dataDir.resolve(FILE));
        if (!Files.exists(c.file)) return c;
        try {
            JsonNode all = Json.parse(Files.readString(c.file, StandardCharsets.UTF_8));
            all.fields().forEachRemaining(stream -> {
                Map<String, String> shards = new TreeMap<>();
                stream.getValue().fields().forEachRemaining(s -> shards.put(s.getKey(), s.getValue().asText()));
                c.positions.put(stream.getKey(), shards);
            });
        } catch (IOException | RuntimeException e) {
            Path aside = c.file.resolveSibling(FILE + ".unreadable");
            System.err.println("[herald-local] " + c.file + " cannot be read (" + e.getMessage() + "); moved to " + aside
                    + ", and stream event sources start as their StartingPosition says (from TRIM_HORIZON records may be delivered twice, from LATEST some may be missed)");
            try {
                Files.move(c.file, aside, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException moveFailed) {
                throw new UncheckedIOException("cannot move the unreadable " + c.file + " aside", moveFailed);
            }
        }
        return c;
    }

    /** Shard id to the last delivered sequence number, for one stream; empty when it has none. */
    public synchronized Map<String, String> positions(String streamArn) {
        return new HashMap<>(positions.getOrDefault(streamArn, Map.of()));
    }

    /** Records that a shard's records up to {@code sequenceNumber} were delivered (or discarded after their retries). */
    public synchronized void delivered(String streamArn, String shardId, String sequenceNumber) {
        positions.computeIfAbsent(streamArn, k -> new TreeMap<>()).put(shardId, sequenceNumber);
        if (file != null) save();
    }

    private void save() {
        ObjectNode all = Json.object();
        positions.forEach((arn, shards) -> {
            ObjectNode s = all.putObject(arn);
            shards.forEach(s::put);
        });
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try {
            Files.writeString(tmp, Json.write(all), StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            // the position stays in memory; a restart then delivers these records again
            System.err.println("[herald-local] stream position not saved to " + file + ": " + e.getMessage());
        }
    }
}
