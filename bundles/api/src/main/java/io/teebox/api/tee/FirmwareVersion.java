package io.teebox.api.tee;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A firmware version as its vendor writes it, with any number of parts: AMD SEV API {@code 1.55.21} (major, minor,
 * build), the TDX module's {@code 1.5.06.00}, NVIDIA's driver {@code 535.104.05} and VBIOS {@code 96.00.9F.00.01}
 * (hexadecimal parts). Versions compare part by part, numerically.
 *
 * @param text the version as the vendor displays it
 * @param parts its numeric parts, most significant first, at least one
 */
public record FirmwareVersion(String text, List<Integer> parts) implements Comparable<FirmwareVersion> {

    /**
     * @throws IllegalArgumentException if there are no parts or a part is negative
     */
    public FirmwareVersion {
        Objects.requireNonNull(text, "text");
        parts = List.copyOf(Objects.requireNonNull(parts, "parts"));
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("firmware version '" + text + "' has no parts");
        }
        for (int p : parts) {
            if (p < 0) {
                throw new IllegalArgumentException("firmware version '" + text + "' has a negative part " + p);
            }
        }
    }

    /**
     * @param parts numeric parts
     * @return the version whose text is the parts joined by dots, for example {@code 1.55.21}
     */
    public static FirmwareVersion of(int... parts) {
        List<Integer> list = new ArrayList<>();
        StringBuilder t = new StringBuilder();
        for (int p : parts) {
            list.add(p);
            t.append(t.length() == 0 ? "" : ".").append(p);
        }
        return new FirmwareVersion(t.toString(), list);
    }

    /**
     * Parses dot-separated decimal parts, keeping the text as given ({@code 1.5.06} stays {@code 1.5.06}).
     *
     * @param text the version text
     * @return the version
     * @throws IllegalArgumentException if a part is not a decimal number, naming it
     */
    public static FirmwareVersion parse(String text) {
        return parse(text, 10);
    }

    /**
     * Parses dot-separated parts in a radix: 16 for NVIDIA's VBIOS versions ({@code 96.00.9F.00.01}).
     *
     * @param text the version text
     * @param radix 10 or 16
     * @return the version
     * @throws IllegalArgumentException if a part is not a number in that radix, naming it
     */
    public static FirmwareVersion parse(String text, int radix) {
        Objects.requireNonNull(text, "text");
        String t = text.trim();
        List<Integer> parts = new ArrayList<>();
        for (String p : t.split("\\.", -1)) {
            try {
                parts.add(Integer.parseInt(p, radix));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("firmware version '" + text + "': part '" + p
                        + "' is not a " + (radix == 16 ? "hexadecimal" : "decimal") + " number", e);
            }
        }
        return new FirmwareVersion(t, parts);
    }

    /**
     * @param index a part index from 0
     * @return the part, or 0 if the version has fewer parts
     */
    public int part(int index) {
        return index < parts.size() ? parts.get(index) : 0;
    }

    /** @return part 0 */
    public int major() {
        return part(0);
    }

    /** @return part 1, or 0 */
    public int minor() {
        return part(1);
    }

    /**
     * @param other leading parts to compare with, for example {@code 1, 51}
     * @return true if this version is at least the given one in those parts
     */
    public boolean atLeast(int... other) {
        for (int i = 0; i < other.length; i++) {
            int c = Integer.compare(part(i), other[i]);
            if (c != 0) {
                return c > 0;
            }
        }
        return true;
    }

    @Override
    public int compareTo(FirmwareVersion o) {
        for (int i = 0; i < Math.max(parts.size(), o.parts.size()); i++) {
            int c = Integer.compare(part(i), o.part(i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    /** @return the text */
    @Override
    public String toString() {
        return text;
    }
}
