package io.teebox.shell.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import io.teebox.kit.hex.Hex;

/** Parses command arguments; every error names the argument and what was wrong. */
final class Args {

    private Args() {
    }

    /** Parses {@code 0x1F}, {@code 31} or {@code 0b11111} as an unsigned 64-bit number. */
    static long number(String name, String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(name + " is missing");
        }
        String t = text.trim().replace("_", "").toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("0x")) {
                return Long.parseUnsignedLong(t.substring(2), 16);
            }
            if (t.startsWith("0b")) {
                return Long.parseUnsignedLong(t.substring(2), 2);
            }
            return Long.parseUnsignedLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " '" + shown(text)
                    + "' is not a number (decimal, 0x hex or 0b binary)");
        }
    }

    /** Parses a size such as {@code 64M}, {@code 4K}, {@code 1G} or a plain byte count. */
    static long size(String name, String text) {
        String t = text == null ? "" : text.trim().toUpperCase(Locale.ROOT);
        long unit = 1;
        if (t.endsWith("IB")) {
            t = t.substring(0, t.length() - 2);
        } else if (t.endsWith("B") && !t.startsWith("0X")) {
            t = t.substring(0, t.length() - 1);
        }
        if (t.endsWith("K")) {
            unit = 1L << 10;
        } else if (t.endsWith("M")) {
            unit = 1L << 20;
        } else if (t.endsWith("G")) {
            unit = 1L << 30;
        }
        if (unit != 1) {
            t = t.substring(0, t.length() - 1);
        }
        long n = number(name, t);
        if (n < 0 || n > Long.MAX_VALUE / unit) {
            throw new IllegalArgumentException(name + " '" + shown(text) + "' is too large");
        }
        return n * unit;
    }

    /** An int in a range. */
    static int intIn(String name, String text, int min, int max) {
        long n = number(name, text);
        if (n < min || n > max) {
            throw new IllegalArgumentException(name + " must be " + min + ".." + max + ", got " + shown(text));
        }
        return (int) n;
    }

    /** Data given as {@code hex:0011aa} or as text (UTF-8). */
    static byte[] data(String name, String text) {
        if (text == null) {
            throw new IllegalArgumentException(name + " is missing");
        }
        if (text.startsWith("hex:")) {
            try {
                return Hex.decode(text.substring(4));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
            }
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Reads a file, or returns null if the path is null or empty. */
    static byte[] file(String name, String path) {
        if (path == null || path.isEmpty()) {
            return null;
        }
        Path p = Path.of(path);
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException(name + " '" + path + "' is not a readable file (working directory "
                    + Path.of("").toAbsolutePath() + ")");
        }
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new IllegalArgumentException(name + " '" + path + "' cannot be read: " + e.getMessage(), e);
        }
    }

    /** Null for an absent option value (Gogo passes the absentValue). */
    static String opt(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    /** Hex text, naming the option when it is not hex. */
    static byte[] hex(String name, String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(name + " is missing");
        }
        try {
            return Hex.decode(text.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + " '" + shown(text) + "' is not hex: " + e.getMessage(), e);
        }
    }

    /**
     * A guest physical address: a number below 2^52, the largest physical address x86 page tables can hold, so an
     * unsigned 64-bit value at or above 2^63 can never be taken for a negative "default".
     */
    static long address(String name, String text) {
        long a = number(name, text);
        if (a < 0 || a >= 1L << 52) {
            throw new IllegalArgumentException(String.format("%s 0x%X is beyond the 52-bit guest physical address "
                    + "space", name, a));
        }
        return a;
    }

    /** A directory to write into, created with its parents if missing. */
    static Path outputDirectory(String name, String dir) {
        Path p = Path.of(dir == null || dir.isEmpty() ? "." : dir);
        try {
            return Files.createDirectories(p);
        } catch (IOException e) {
            throw new IllegalArgumentException(name + " '" + dir + "' cannot be created as a directory: "
                    + e.getClass().getSimpleName() + " " + e.getMessage(), e);
        }
    }

    /** Writes a file, naming the option and the path when it cannot. */
    static void write(String name, Path file, byte[] bytes) {
        try {
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException(name + ": cannot write " + file + ": " + e.getClass().getSimpleName()
                    + " " + e.getMessage(), e);
        }
    }

    /** The text as an error message shows it: control characters escaped, so the message stays one line. */
    static String shown(String text) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (Character.isISOControl(c) || Character.getType(c) == Character.LINE_SEPARATOR
                            || Character.getType(c) == Character.PARAGRAPH_SEPARATOR) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
