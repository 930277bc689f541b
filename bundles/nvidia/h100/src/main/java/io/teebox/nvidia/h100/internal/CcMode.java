package io.teebox.nvidia.h100.internal;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The H100's confidential-computing modes as NVIDIA's host tool sets them ({@code nvidia_gpu_tools.py
 * --set-cc-mode}): {@code off}, {@code on} (all security features, bus encryption, performance counters off, no
 * debugging) and {@code devtools} (the same, but profiling and debugging allowed).
 */
enum CcMode {
    /** No confidential-computing feature. */
    OFF(0, false, true, true),
    /** All security features on; performance counters off, debugging refused. */
    ON(1, true, false, false),
    /** The security features of {@link #ON}, with the blocks against profiling and debugging lifted. */
    DEVTOOLS(2, true, true, true);

    /** The modes' names, as the host tool spells them, in order. */
    static final List<String> NAMES = Arrays.stream(values()).map(CcMode::text).toList();

    private final int code;
    private final boolean confidential;
    private final boolean perfCounters;
    private final boolean debug;

    CcMode(int code, boolean confidential, boolean perfCounters, boolean debug) {
        this.code = code;
        this.confidential = confidential;
        this.perfCounters = perfCounters;
        this.debug = debug;
    }

    /** @return the mode's code in the GPU's CC configuration (measured) */
    int code() {
        return code;
    }

    /** @return whether the GPU protects its memory and traffic (on, devtools) */
    boolean confidential() {
        return confidential;
    }

    /** @return whether performance counters are readable */
    boolean perfCounters() {
        return perfCounters;
    }

    /** @return whether a debugger may read the GPU's memory */
    boolean debug() {
        return debug;
    }

    /** @return the mode as the host tool spells it */
    String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param text {@code off}, {@code on} or {@code devtools}, case-insensitive
     * @return the mode
     * @throws IllegalArgumentException naming the modes there are
     */
    static CcMode of(String text) {
        for (CcMode m : values()) {
            if (m.text().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return m;
            }
        }
        throw new IllegalArgumentException("CC mode '" + text + "' is not one of " + NAMES);
    }
}
