package io.teebox.kit.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The rule every teebox fuzz target asserts, and the framing its inputs use. A parser given any bytes either
 * returns, or throws one of the exceptions its Javadoc promises (the project's typed ones:
 * {@code MalformedStructureException}, {@code MalformedFirmwareException}, {@code TeeException}, and
 * {@code IllegalArgumentException} only where that is the documented contract), with a one-line message. Anything
 * else (an {@code ArrayIndexOutOfBoundsException}, a {@code NullPointerException}, an {@code OutOfMemoryError}, an
 * untyped {@code IllegalArgumentException} where a typed one is promised) is a finding: it propagates, and Jazzer
 * reports it and keeps the input.
 *
 * <p>Inputs that carry several values are {@link Parts}: a sequence of {@code [u16 big-endian length][bytes]}
 * records, the last one possibly cut short. {@link #frame} writes them, for seed corpora.
 */
public final class Fuzzing {

    private Fuzzing() {
    }

    /**
     * Runs a parse that may refuse its input with a typed exception.
     *
     * @param <T> the result type
     * @param parse the parse
     * @param allowed the exceptions the parse's contract promises
     * @return the result, or null if the parse threw one of {@code allowed} (whose message was checked)
     */
    @SafeVarargs
    public static <T> T typed(Supplier<T> parse, Class<? extends RuntimeException>... allowed) {
        try {
            return Objects.requireNonNull(parse.get(), "a parse returned null instead of a value or an exception");
        } catch (RuntimeException e) {
            for (Class<? extends RuntimeException> c : allowed) {
                if (c.isInstance(e)) {
                    checkMessage(e);
                    return null;
                }
            }
            throw e;
        }
    }

    /**
     * Like {@link #typed(Supplier, Class[])} for a call without a result.
     *
     * @param call the call
     * @param allowed the exceptions its contract promises
     * @return true if the call returned, false if it threw one of {@code allowed}
     */
    @SafeVarargs
    public static boolean refusesTyped(Runnable call, Class<? extends RuntimeException>... allowed) {
        return typed(() -> {
            call.run();
            return Boolean.TRUE;
        }, allowed) != null;
    }

    /**
     * Checks the message of a refusal: present, not blank, one line (the project's errors are one sentence naming
     * the field).
     *
     * @param e the exception
     */
    public static void checkMessage(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            throw new AssertionError(e.getClass().getName() + " without a message", e);
        }
        if (m.indexOf('\n') >= 0 || m.indexOf('\r') >= 0) {
            throw new AssertionError(e.getClass().getName() + " with a multi-line message: " + m, e);
        }
    }

    /**
     * Fails unless two arrays are equal.
     *
     * @param what what is compared, for the message
     * @param expected the expected bytes
     * @param actual the actual bytes
     */
    public static void assertSame(String what, byte[] expected, byte[] actual) {
        if (!Arrays.equals(expected, actual)) {
            throw new AssertionError(what + ": round trip changed the bytes (" + expected.length + " bytes in, "
                    + actual.length + " out, first difference at " + Arrays.mismatch(expected, actual) + ")");
        }
    }

    /**
     * Fails unless a condition holds.
     *
     * @param what the property, for the message
     * @param condition whether it holds
     */
    public static void check(String what, boolean condition) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }

    /**
     * Frames values as {@link Parts} reads them.
     *
     * @param parts the values
     * @return the framed bytes
     */
    public static byte[] frame(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            if (p.length > 0xFFFF) {
                throw new IllegalArgumentException("a part is " + p.length + " bytes, at most 65535");
            }
            out.write(p.length >>> 8);
            out.write(p.length & 0xFF);
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /**
     * UTF-8 bytes of a text, for {@link #frame}.
     *
     * @param s the text
     * @return its bytes
     */
    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Reads framed values; past the end every value is empty. */
    public static final class Parts {
        private final byte[] data;
        private int at;

        /**
         * @param data the fuzzer's input
         */
        public Parts(byte[] data) {
            this.data = data;
        }

        /** @return whether any byte is left */
        public boolean more() {
            return at < data.length;
        }

        /** @return the next value, empty past the end */
        public byte[] next() {
            if (at + 2 > data.length) {
                at = data.length;
                return new byte[0];
            }
            int len = (data[at] & 0xFF) << 8 | data[at + 1] & 0xFF;
            int from = at + 2;
            int to = Math.min(data.length, from + len);
            at = to;
            return Arrays.copyOfRange(data, from, to);
        }

        /** @return the next value as UTF-8 text (malformed sequences replaced) */
        public String text() {
            return new String(next(), StandardCharsets.UTF_8);
        }

        /** @return the first byte of the next value, 0 if it is empty */
        public int u8() {
            byte[] b = next();
            return b.length == 0 ? 0 : b[0] & 0xFF;
        }

        /** @return the next value's first 8 bytes as a little-endian long (missing bytes are zero) */
        public long u64() {
            byte[] b = next();
            long v = 0;
            for (int i = Math.min(8, b.length) - 1; i >= 0; i--) {
                v = v << 8 | b[i] & 0xFF;
            }
            return v;
        }
    }
}
