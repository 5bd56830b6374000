package io.herald.local.sqs;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One standard queue, in memory, with SQS's semantics: delays (queue and message), visibility
 * timeouts, long polling, receipt handles that change with each receive, retention, and redrive
 * to a dead-letter queue once a message has been received {@code maxReceiveCount} times. Thread
 * safe: every state change holds the queue's monitor; senders wake long-polling receivers.
 * Unlike SQS, delivery is exactly once and in send order (a standard queue only promises
 * at-least-once, best-effort order): code that needs more than SQS promises will pass here.
 */
public final class SqsQueue {
    /** The queue's attributes as the template sets them; AWS's defaults otherwise. */
    public record Settings(int visibilityTimeout, int delaySeconds, int maximumMessageSize, int messageRetentionPeriod,
            int receiveMessageWaitTimeSeconds, String deadLetterTargetArn, int maxReceiveCount) {
        public static final Settings DEFAULTS = new Settings(30, 0, 262_144, 345_600, 0, null, 0);
    }

    /** A message attribute (String, Number or Binary, with an optional custom suffix such as Number.int). */
    public record Attribute(String dataType, String stringValue, byte[] binaryValue) {}

    /** A message as one receive hands it out. */
    public record Delivery(String messageId, String receiptHandle, String body, String md5OfBody,
            Map<String, Attribute> messageAttributes, long sentTimestamp, int receiveCount, long firstReceiveTimestamp) {}

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String name;
    private final String url;
    private final String arn;
    private final Settings settings;
    private final Clock clock;
    private final LinkedHashMap<String, Message> messages = new LinkedHashMap<>();
    private volatile SqsQueue deadLetterQueue;
    private long lastPurge = Long.MIN_VALUE;
    private final long createdAt;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong deleted = new AtomicLong();
    private final AtomicLong redriven = new AtomicLong();

    private static final class Message {
        final String id;
        final String body;
        final Map<String, Attribute> attributes;
        final long sentAt;
        long visibleAt;
        int receiveCount;
        long firstReceiveAt;
        String receiptHandle;

        Message(String id, String body, Map<String, Attribute> attributes, long sentAt, long visibleAt) {
            this.id = id;
            this.body = body;
            this.attributes = attributes;
            this.sentAt = sentAt;
            this.visibleAt = visibleAt;
        }
    }

    public SqsQueue(String name, String url, String arn, Settings settings, Clock clock) {
        this.name = name;
        this.url = url;
        this.arn = arn;
        this.settings = settings;
        this.clock = clock;
        this.createdAt = clock.millis();
    }

    public String name() {
        return name;
    }

    public String url() {
        return url;
    }

    public String arn() {
        return arn;
    }

    public Settings settings() {
        return settings;
    }

    void deadLetterQueue(SqsQueue dlq) {
        this.deadLetterQueue = dlq;
    }

    // ---------------------------------------------------------------- send

    /**
     * Enqueues a message, checked as SQS checks it.
     *
     * @param delaySeconds the message's own delay, or null for the queue's
     * @throws SqsException InvalidMessageContents, InvalidParameterValue
     */
    public String send(String body, Integer delaySeconds, Map<String, Attribute> attributes) {
        validate(body, delaySeconds, attributes);
        int delay = delaySeconds == null ? settings.delaySeconds() : delaySeconds;
        long now = clock.millis();
        String id = UUID.randomUUID().toString();
        synchronized (this) {
            messages.put(id, new Message(id, body, Map.copyOf(attributes), now, now + delay * 1000L));
            notifyAll();
        }
        sent.incrementAndGet();
        return id;
    }

    void validate(String body, Integer delaySeconds, Map<String, Attribute> attributes) {
        if (body == null || body.isEmpty()) {
            throw SqsException.invalidParameter("The request must contain the parameter MessageBody.");
        }
        if (size(body, attributes) > settings.maximumMessageSize()) {
            throw SqsException.invalidParameter("One or more parameters are invalid. Reason: Message must be shorter than "
                    + settings.maximumMessageSize() + " bytes.");
        }
        String bad = invalidCharacter(body);
        if (bad != null) {
            // SQS's own wording, as its answers to such bodies quote it
            throw new SqsException("InvalidMessageContents", "InvalidMessageContents", "Invalid binary character '" + bad
                    + "' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | [#x20-#xD7FF] | "
                    + "[#xE000-#xFFFD] | [#x10000-#x10FFFF].");
        }
        if (delaySeconds != null && (delaySeconds < 0 || delaySeconds > 900)) {
            throw SqsException.invalidParameter("Value " + delaySeconds
                    + " for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.");
        }
        if (attributes.size() > 10) {
            throw SqsException.invalidParameter("Number of message attributes [" + attributes.size()
                    + "] exceeds the allowed maximum [10].");
        }
    }

    /** The size SQS counts: the body plus each attribute's name, type and value. */
    static int size(String body, Map<String, Attribute> attributes) {
        int n = body.getBytes(StandardCharsets.UTF_8).length;
        for (var e : attributes.entrySet()) {
            Attribute a = e.getValue();
            n += e.getKey().getBytes(StandardCharsets.UTF_8).length + a.dataType().getBytes(StandardCharsets.UTF_8).length;
            n += a.binaryValue() != null ? a.binaryValue().length : a.stringValue().getBytes(StandardCharsets.UTF_8).length;
        }
        return n;
    }

    /** SQS takes #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF. */
    static String invalidCharacter(String body) {
        for (int i = 0; i < body.length(); ) {
            int cp = body.codePointAt(i);
            boolean ok = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD)
                    || (cp >= 0x10000 && cp <= 0x10FFFF);
            if (!ok) return String.format("#x%X", cp);
            i += Character.charCount(cp);
        }
        return null;
    }

    /** A message the source queue redrove here: it keeps its id, body, attributes and first send time. */
    private void acceptRedriven(Message m) {
        synchronized (this) {
            Message copy = new Message(m.id, m.body, m.attributes, m.sentAt, clock.millis());
            messages.put(copy.id, copy);
            notifyAll();
        }
    }

    // ---------------------------------------------------------------- receive

    /**
     * Takes up to {@code max} visible messages, hiding each for {@code visibilityTimeout} seconds;
     * with nothing visible, waits up to {@code waitMillis} for one (long polling). A message already
     * received {@code maxReceiveCount} times goes to the dead-letter queue instead.
     */
    public List<Delivery> receive(int max, int visibilityTimeout, long waitMillis) throws InterruptedException {
        long deadline = clock.millis() + waitMillis;
        while (true) {
            List<Message> toDeadLetter = new ArrayList<>();
            List<Delivery> out = new ArrayList<>();
            synchronized (this) {
                long now = clock.millis();
                long nextChange = take(max, visibilityTimeout, now, out, toDeadLetter);
                if (out.isEmpty() && toDeadLetter.isEmpty() && now < deadline) {
                    wait(Math.max(1, Math.min(deadline, nextChange) - now));
                    continue;
                }
            }
            SqsQueue dlq = deadLetterQueue;
            for (Message m : toDeadLetter) {
                dlq.acceptRedriven(m);
                redriven.incrementAndGet();
            }
            received.addAndGet(out.size());
            if (!out.isEmpty() || clock.millis() >= deadline) return out;
        }
    }

    /** Fills {@code out}; returns when the next hidden message becomes visible (for the long poll's wait). */
    private long take(int max, int visibilityTimeout, long now, List<Delivery> out, List<Message> toDeadLetter) {
        long nextChange = Long.MAX_VALUE;
        for (Iterator<Message> it = messages.values().iterator(); it.hasNext() && out.size() < max; ) {
            Message m = it.next();
            if (m.sentAt + settings.messageRetentionPeriod() * 1000L <= now) {
                it.remove(); // past retention: SQS deletes it
                continue;
            }
            if (m.visibleAt > now) {
                nextChange = Math.min(nextChange, m.visibleAt);
                continue;
            }
            if (deadLetterQueue != null && settings.maxReceiveCount() > 0 && m.receiveCount >= settings.maxReceiveCount()) {
                it.remove();
                toDeadLetter.add(m);
                continue;
            }
            m.receiveCount++;
            if (m.firstReceiveAt == 0) m.firstReceiveAt = now;
            m.visibleAt = now + visibilityTimeout * 1000L;
            m.receiptHandle = newReceiptHandle(m.id);
            out.add(new Delivery(m.id, m.receiptHandle, m.body, Md5.ofBody(m.body), m.attributes, m.sentAt, m.receiveCount,
                    m.firstReceiveAt));
        }
        return nextChange;
    }

    /** The message id travels in the handle, so a handle of a deleted message is recognised as once valid. */
    private static String newReceiptHandle(String messageId) {
        byte[] nonce = new byte[24];
        RANDOM.nextBytes(nonce);
        String raw = messageId + "#" + Base64.getUrlEncoder().withoutPadding().encodeToString(nonce);
        return Base64.getEncoder().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    private static String messageIdOf(String receiptHandle) {
        try {
            String raw = new String(Base64.getDecoder().decode(receiptHandle == null ? "" : receiptHandle), StandardCharsets.UTF_8);
            int hash = raw.indexOf('#');
            if (hash == 36) return raw.substring(0, hash);
        } catch (IllegalArgumentException e) {
            // falls through: not a handle this queue issued
        }
        throw new SqsException("ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid",
                "The input receipt handle \"" + receiptHandle + "\" is not a valid receipt handle.");
    }

    // ---------------------------------------------------------------- delete, visibility, purge

    /**
     * Deletes the message the handle was issued for. As on SQS, deleting an already deleted message
     * succeeds, and a handle superseded by a later receive succeeds without deleting.
     *
     * @throws SqsException ReceiptHandleIsInvalid for a handle this queue never issued
     */
    public void delete(String receiptHandle) {
        String id = messageIdOf(receiptHandle);
        synchronized (this) {
            Message m = messages.get(id);
            if (m != null && receiptHandle.equals(m.receiptHandle)) {
                messages.remove(id);
                deleted.incrementAndGet();
            }
        }
    }

    /**
     * Sets how long a received message stays hidden from now on (0 makes it visible at once).
     *
     * @throws SqsException MessageNotInflight, ReceiptHandleIsInvalid, InvalidParameterValue
     */
    public void changeVisibility(String receiptHandle, int seconds) {
        if (seconds < 0 || seconds > 43_200) {
            throw SqsException.invalidParameter("Value " + seconds
                    + " for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.");
        }
        String id = messageIdOf(receiptHandle);
        synchronized (this) {
            Message m = messages.get(id);
            long now = clock.millis();
            if (m == null || !receiptHandle.equals(m.receiptHandle) || m.visibleAt <= now) {
                throw new SqsException("MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight", "Message not inflight.");
            }
            m.visibleAt = now + seconds * 1000L;
            notifyAll();
        }
    }

    /**
     * Deletes every message; SQS allows one purge a minute.
     *
     * @throws SqsException PurgeQueueInProgress within 60 s of the last purge
     */
    public synchronized void purge() {
        long now = clock.millis();
        if (lastPurge != Long.MIN_VALUE && now - lastPurge < 60_000) {
            throw new SqsException("PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress",
                    "Only one PurgeQueue operation on " + name + " is allowed every 60 seconds.");
        }
        lastPurge = now;
        messages.clear();
    }

    // ---------------------------------------------------------------- attributes and counters

    /** GetQueueAttributes' answer: every attribute a standard queue has, as strings. */
    public synchronized Map<String, String> attributes() {
        long now = clock.millis();
        int visible = 0;
        int inFlight = 0;
        int delayed = 0;
        for (Message m : messages.values()) {
            if (m.visibleAt <= now) visible++;
            else if (m.receiveCount > 0) inFlight++;
            else delayed++;
        }
        Map<String, String> a = new LinkedHashMap<>();
        a.put("QueueArn", arn);
        a.put("ApproximateNumberOfMessages", String.valueOf(visible));
        a.put("ApproximateNumberOfMessagesNotVisible", String.valueOf(inFlight));
        a.put("ApproximateNumberOfMessagesDelayed", String.valueOf(delayed));
        a.put("CreatedTimestamp", String.valueOf(createdAt / 1000));
        a.put("LastModifiedTimestamp", String.valueOf(createdAt / 1000));
        a.put("VisibilityTimeout", String.valueOf(settings.visibilityTimeout()));
        a.put("MaximumMessageSize", String.valueOf(settings.maximumMessageSize()));
        a.put("MessageRetentionPeriod", String.valueOf(settings.messageRetentionPeriod()));
        a.put("DelaySeconds", String.valueOf(settings.delaySeconds()));
        a.put("ReceiveMessageWaitTimeSeconds", String.valueOf(settings.receiveMessageWaitTimeSeconds()));
        a.put("SqsManagedSseEnabled", "true");
        if (settings.deadLetterTargetArn() != null) {
            a.put("RedrivePolicy", "{\"deadLetterTargetArn\":\"" + settings.deadLetterTargetArn() + "\",\"maxReceiveCount\":"
                    + settings.maxReceiveCount() + "}");
        }
        return a;
    }

    /** What CloudWatch counts for a queue: NumberOfMessagesSent, -Received, -Deleted, and the redriven ones. */
    public Map<String, Long> counters() {
        return Map.of("sent", sent.get(), "received", received.get(), "deleted", deleted.get(), "redriven", redriven.get());
    }

    /** Wakes long-polling receivers (the stack is stopping). */
    synchronized void wakeAll() {
        notifyAll();
    }
}
