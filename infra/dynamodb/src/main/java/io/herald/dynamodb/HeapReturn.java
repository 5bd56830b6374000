package io.herald.dynamodb;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;

/**
 * Lets the JVM give memory back after a burst. A developer's engine or local stack idles most of
 * the day between load tests; by default G1 keeps the heap it grew to (up to 70 % of it free)
 * until the process ends. These flags are "manageable", so a jar can set them itself, which keeps
 * a plain {@code java -jar} command. Flags the user set on the command line are left alone. Used
 * by the standalone engine and by the local stack, which embeds it.
 */
public final class HeapReturn {
    /**
     * Shrink to at most 30 % free after a collection; collect when idle for 30 s so that happens.
     * In this order: the JVM refuses a MaxHeapFreeRatio below the current MinHeapFreeRatio.
     */
    static final List<Map.Entry<String, String>> FLAGS = List.of(Map.entry("MinHeapFreeRatio", "10"),
            Map.entry("MaxHeapFreeRatio", "30"), Map.entry("G1PeriodicGCInterval", "30000"));

    private HeapReturn() {}

    /** Sets each flag the user left at its default; does nothing off HotSpot. */
    public static void apply() {
        HotSpotDiagnosticMXBean vm;
        try {
            vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        } catch (RuntimeException | LinkageError e) {
            return; // not HotSpot: nothing to tune
        }
        if (vm == null) return;
        for (Map.Entry<String, String> flag : FLAGS) {
            try {
                if (vm.getVMOption(flag.getKey()).getOrigin() != VMOption.Origin.DEFAULT) continue;
                vm.setVMOption(flag.getKey(), flag.getValue());
            } catch (IllegalArgumentException e) {
                // unknown on this JVM (another collector or version): keep its default
            }
        }
    }
}
