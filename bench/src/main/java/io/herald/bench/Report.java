package io.herald.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/** Collects measured numbers and writes them as markdown tables and one PNG chart. */
final class Report {
    private final StringBuilder fanOut = new StringBuilder();
    private final StringBuilder latency = new StringBuilder();
    private final StringBuilder cold = new StringBuilder();
    private final StringBuilder cost = new StringBuilder();
    private final StringBuilder memory = new StringBuilder();
    private final List<double[]> chart = new ArrayList<>(); // {subscribers, median last-receipt ms, median median-receipt ms}
    private long jarBytes;

    static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        Collections.sort(s);
        return s.isEmpty() ? Double.NaN : s.get(s.size() / 2);
    }

    static String spread(List<Double> v) {
        return String.format(Locale.ROOT, "%.0f–%.0f", Collections.min(v), Collections.max(v));
    }

    void fanOut(int n, List<Double> lastMs, List<Double> medianMs, List<Double> perSecond) {
        fanOut.append(String.format(Locale.ROOT, "| %,d | %.0f ms (%s) | %.0f ms | %,.0f/s (%s) |%n", n, median(lastMs), spread(lastMs),
                median(medianMs), median(perSecond), spread(perSecond)));
        chart.add(new double[] {n, median(lastMs), median(medianMs)});
    }

    private final List<Double> p50 = new ArrayList<>(), p99 = new ArrayList<>(), max = new ArrayList<>();
    private long delivered, expected;

    /** One run's receipt latencies, sorted; the table shows the median run and the spread. */
    void latency(List<Double> sorted, long expectedDeliveries) {
        delivered += sorted.size();
        expected += expectedDeliveries;
        if (sorted.isEmpty()) return;
        p50.add(sorted.get(sorted.size() / 2));
        p99.add(sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * 0.99))));
        max.add(sorted.get(sorted.size() - 1));
        latency.setLength(0);
        latency.append(String.format(Locale.ROOT, "| %d | %,d of %,d | %.1f ms (%.1f–%.1f) | %.1f ms (%.1f–%.1f) | %.1f ms (%.1f–%.1f) |%n",
                p50.size(), delivered, expected, median(p50), Collections.min(p50), Collections.max(p50),
                median(p99), Collections.min(p99), Collections.max(p99), median(max), Collections.min(max), Collections.max(max)));
    }

    void coldStart(String handler, List<Double> inJvm, List<Double> wall) {
        cold.append(String.format(Locale.ROOT, "| %s | %.0f ms (%s) | %.0f ms (%s) |%n", handler, median(inJvm), spread(inJvm),
                median(wall), spread(wall)));
    }

    void jarSize(long bytes) {
        jarBytes = bytes;
    }

    void cost(int unrelated, List<Double> perDelivery, long queries) {
        cost.append(String.format(Locale.ROOT, "| %,d | %d | %.4f |%n", unrelated, queries, median(perDelivery)));
    }

    void memory(int n, long rss0, long rss, long heap0, long heap) {
        memory.append(String.format(Locale.ROOT, "| %,d | %,d KB → %,d KB | %.1f KB | %,d KB → %,d KB | %.1f KB |%n", n, rss0, rss,
                (rss - rss0) / (double) n, heap0, heap, (heap - heap0) / (double) n));
    }

    private final StringBuilder chat = new StringBuilder();
    static final String CHAT_TITLE = "## 6. Chat: message:send → message:new at the recipient";

    void chat(ChatBench.Result r, String loadBefore, String loadAfter) throws IOException {
        List<Double> ms = r.sortedMs();
        chat.append(CHAT_TITLE).append("\n\n");
        chat.append(String.format(Locale.ROOT, "Measured with `mvn -B -q -DskipTests package && java -jar bench/target/herald-bench.jar --scenario chat` (one run, %s): %d one-to-one "
                + "conversations, each member a real WebSocket client (`?protocol=chat`), the recipients joined to their room; the senders "
                + "send %d `message:send` a second for %d s, round robin over the conversations; latency is send → `message:new` at the "
                + "recipient. Machine: %s. Load average (`/proc/loadavg`, as `uptime` shows it) before: %s; after: %s — other agents' "
                + "builds share these 2 cores, so the figures carry their noise.%n%n", LocalDate.now(), ChatBench.CONVERSATIONS,
                ChatBench.RATE, ChatBench.SECONDS, machine(), loadBefore, loadAfter));
        chat.append("| messages sent | received by the recipient | error frames | p50 | p99 | max |\n|---|---|---|---|---|---|\n");
        chat.append(String.format(Locale.ROOT, "| %,d | %,d | %d | %s | %s | %s |%n%n", r.sent(), ms.size(), r.refused(),
                ms.isEmpty() ? "–" : String.format(Locale.ROOT, "%.1f ms", ms.get(ms.size() / 2)),
                ms.isEmpty() ? "–" : String.format(Locale.ROOT, "%.1f ms", ms.get(Math.min(ms.size() - 1, (int) (ms.size() * 0.99)))),
                ms.isEmpty() ? "–" : String.format(Locale.ROOT, "%.1f ms", ms.get(ms.size() - 1))));
        chat.append("DynamoDB units per message, as the stack's engine counted them over the sending phase (its `CapacityListener`: each ")
                .append("successful request's units as DynamoDB bills them; `GET /local/metrics`), divided by the messages sent:\n\n");
        chat.append("| table | read units per message | write units per message |\n|---|---|---|\n");
        double reads = 0, writes = 0;
        for (Map.Entry<String, double[]> e : r.unitsPerTable().entrySet()) {
            if (e.getValue()[0] == 0 && e.getValue()[1] == 0) continue;
            chat.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f |%n", e.getKey(), e.getValue()[0], e.getValue()[1]));
            reads += e.getValue()[0];
            writes += e.getValue()[1];
        }
        chat.append(String.format(Locale.ROOT, "| **all** | **%.2f** | **%.2f** |%n%n", reads, writes));
    }

    /** Replaces (or adds) the chat section of an existing benchmarks.md, leaving the other sections as they were measured. */
    void writeChatOnly(Path md) throws IOException {
        String doc = Files.exists(md) ? Files.readString(md) : "# Benchmarks\n\n";
        int at = doc.indexOf(CHAT_TITLE);
        if (at >= 0) {
            int end = doc.indexOf("\n## ", at + CHAT_TITLE.length());
            int tail = doc.indexOf("What each fix changed", at);
            int stop = end < 0 ? (tail < 0 ? doc.length() : tail) : (tail < 0 ? end + 1 : Math.min(end + 1, tail));
            doc = doc.substring(0, at) + chat + doc.substring(stop);
        } else {
            int tail = doc.indexOf("What each fix changed");
            doc = tail < 0 ? doc + chat : doc.substring(0, tail) + chat + doc.substring(tail);
        }
        Files.writeString(md, doc);
    }

    void write(Path md, Path png, String scenario, int runs) throws IOException, InterruptedException {
        StringBuilder b = new StringBuilder();
        b.append("# Benchmarks\n\n");
        b.append("Measured with `java -jar bench/target/herald-bench.jar --scenario ").append(scenario).append(" --runs ").append(runs)
                .append("` (after `mvn -B -q -DskipTests install`), against the local stack jar as a separate process, with real ")
                .append("WebSocket clients on 127.0.0.1.\n\n");
        b.append("Machine: ").append(machine()).append(". Date: ").append(LocalDate.now()).append(".\n\n");
        b.append("Every figure is the median of the runs, with the spread (min–max) beside it. The local stack runs the Lambda ")
                .append("handlers in-process over Herald's own DynamoDB engine and posts through its Management API emulation over HTTP, so these ")
                .append("numbers measure Herald's code paths on this machine, not AWS's service latencies.\n\n");
        String params = System.getProperty("bench.stackParams", "").trim();
        section(b, "1. Fan-out: one publication to N subscribers of one topic (above `InlineFanOutLimit`, "
                        + (params.isEmpty() ? "2,000 by default" : "stack parameters: `" + params + "`")
                        + ", the publish function hands it to the FanOutFunction tree through the fan-out queue)",
                "| subscribers | publish → last receipt | publish → median receipt | deliveries per second |\n|---|---|---|---|\n", fanOut);
        if (!chart.isEmpty()) {
            chart(png);
            b.append("![delivery latency against subscriber count](").append(png.getFileName()).append(")\n\n");
        }
        section(b, "2. Latency under load: 100 publications/s for 30 s, 10 subscribers per topic",
                "| runs | deliveries | p50 | p99 | max |\n|---|---|---|---|---|\n", latency);
        section(b, "3. Cold start: a fresh JVM, the deployment jar alone on the class path, init + first invocation",
                "| handler | in the JVM (JVM start → response) | wall (process spawn → exit) |\n|---|---|---|\n", cold);
        if (jarBytes > 0) b.append(String.format(Locale.ROOT, "Deployment jar: %,d bytes.%n%n", jarBytes));
        section(b, "4. DynamoDB reads per delivery: a topic with 100 subscribers among unrelated connections",
                "| unrelated connections | Queries per publication | RCU per delivery (as DynamoDB bills it: 0.5 at least per Query) |\n|---|---|---|\n",
                cost);
        section(b, "5. Memory of the local stack per idle connection (read 70 s after the last connect)",
                "| connections | RSS | per connection | heap after GC | per connection |\n|---|---|---|---|---|\n", memory);
        b.append(chat);
        b.append("What each fix changed, with the numbers before and after, and what the targets' misses come from: ")
                .append("[benchmark-history.md](benchmark-history.md).\n\n");
        b.append("Tree fan-out to 100,000 and 1,000,000 subscribers (a simulation with its own command, `TreeBench`): ")
                .append("[tree-fanout-benchmark.md](tree-fanout-benchmark.md) (also 5,000 real clients locally, and the cause of duplicates), [tree-fanout-benchmark-1m.md](tree-fanout-benchmark-1m.md), interleaved A/B: [tree-fanout-ab.md](tree-fanout-ab.md).\n");
        Files.writeString(md, b.toString());
    }

    private static void section(StringBuilder b, String title, String header, StringBuilder rows) {
        if (rows.length() == 0) return;
        b.append("## ").append(title).append("\n\n").append(header).append(rows).append('\n');
    }

    private static String machine() throws IOException {
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
        return Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), " + (Runtime.getRuntime().maxMemory() >> 20)
                + " MB max heap for the clients, Java " + System.getProperty("java.version");
    }

    private void chart(Path png) throws IOException {
        int w = 800, h = 480, left = 80, right = 30, top = 40, bottom = 60;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        double maxY = 1;
        for (double[] p : chart) maxY = Math.max(maxY, p[1] * 1.1);
        double minX = Math.log10(chart.get(0)[0]), maxX = Math.log10(chart.get(chart.size() - 1)[0]);
        if (maxX == minX) maxX = minX + 1;
        g.setColor(Color.DARK_GRAY);
        g.drawLine(left, h - bottom, w - right, h - bottom);
        g.drawLine(left, top, left, h - bottom);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int i = 0; i <= 5; i++) {
            double v = maxY * i / 5;
            int y = (int) (h - bottom - (h - top - bottom) * i / 5.0);
            g.drawString(String.format(Locale.ROOT, "%.0f ms", v), 10, y + 4);
            g.setColor(new Color(230, 230, 230));
            g.drawLine(left + 1, y, w - right, y);
            g.setColor(Color.DARK_GRAY);
        }
        g.drawString("subscribers (log scale)", w / 2 - 60, h - 15);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString("Publish → receipt, local stack, 2 cores", left, 25);
        Color[] colors = {new Color(200, 60, 40), new Color(40, 100, 200)};
        String[] names = {"last receipt", "median receipt"};
        for (int series = 0; series < 2; series++) {
            g.setColor(colors[series]);
            g.setStroke(new BasicStroke(2.5f));
            int px = -1, py = -1;
            for (double[] p : chart) {
                int x = (int) (left + (w - left - right) * (Math.log10(p[0]) - minX) / (maxX - minX) * 0.9 + 20);
                int y = (int) (h - bottom - (h - top - bottom) * p[series + 1] / maxY);
                g.fillOval(x - 4, y - 4, 8, 8);
                if (px >= 0) g.drawLine(px, py, x, y);
                px = x;
                py = y;
                if (series == 0) {
                    g.setColor(Color.DARK_GRAY);
                    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
                    g.drawString(String.format(Locale.ROOT, "%,.0f", p[0]), x - 15, h - bottom + 18);
                    g.setColor(colors[series]);
                }
            }
            g.drawString(names[series], w - right - 140, top + 20 + 18 * series);
        }
        g.dispose();
        ImageIO.write(img, "png", png.toFile());
    }
}
