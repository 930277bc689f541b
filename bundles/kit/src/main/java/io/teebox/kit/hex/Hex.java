package io.teebox.kit.hex;

import java.util.Objects;

/** Lowercase hex encoding and lenient decoding. */
public final class Hex {

    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    private Hex() {
    }

    /**
     * Encodes bytes as lowercase hex, two digits per byte, no separators.
     *
     * @param data the bytes
     * @return the hex string ("" for no bytes)
     */
    public static String encode(byte[] data) {
        Objects.requireNonNull(data, "data");
        char[] out = new char[data.length * 2];
        for (int i = 0; i < data.length; i++) {
            out[2 * i] = DIGITS[(data[i] >> 4) & 0xF];
            out[2 * i + 1] = DIGITS[data[i] & 0xF];
        }
        return new String(out);
    }

    /**
     * Decodes hex. Upper and lower case are accepted, an optional leading "0x" or "0X" is skipped and whitespace
     * anywhere (spaces, tabs, line breaks) is ignored, so pasted dumps decode.
     *
     * @param hex the hex text
     * @return the bytes
     * @throws IllegalArgumentException naming the position (0-based, in {@code hex}) of the first character that is
     *         not a hex digit, or saying the number of digits is odd
     */
    public static byte[] decode(String hex) {
        Objects.requireNonNull(hex, "hex");
        int start = 0;
        while (start < hex.length() && Character.isWhitespace(hex.charAt(start))) {
            start++;
        }
        if (hex.startsWith("0x", start) || hex.startsWith("0X", start)) {
            start += 2;
        }
        byte[] buf = new byte[(hex.length() - start) / 2 + 1];
        int digits = 0;
        int n = 0;
        int high = 0;
        for (int i = start; i < hex.length(); i++) {
            char c = hex.charAt(i);
            if (Character.isWhitespace(c)) {
                continue;
            }
            int v = Character.digit(c, 16);
            if (v < 0 || c > 'f') {
                throw new IllegalArgumentException(String.format(
                        "invalid hex character '%s' at position %d", printable(c), i));
            }
            if ((digits & 1) == 0) {
                high = v;
            } else {
                buf[n++] = (byte) ((high << 4) | v);
            }
            digits++;
        }
        if ((digits & 1) != 0) {
            throw new IllegalArgumentException("hex has an odd number of digits (" + digits + ")");
        }
        byte[] out = new byte[n];
        System.arraycopy(buf, 0, out, 0, n);
        return out;
    }

    private static String printable(char c) {
        return c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\u%04x", (int) c);
    }
}
