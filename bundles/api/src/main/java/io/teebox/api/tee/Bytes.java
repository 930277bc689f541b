package io.teebox.api.tee;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An immutable byte string: copied in and out, equal by content, shown as hex. Value types that hold several byte
 * arrays (certificate chains, attachments, trusted roots) hold them as {@code Bytes}, so no caller can change them
 * after the fact.
 *
 * @param value the bytes (a copy is kept; the accessor returns a copy)
 */
public record Bytes(byte[] value) implements Comparable<Bytes> {

    /** The empty byte string. */
    public static final Bytes EMPTY = new Bytes(new byte[0]);

    /**
     * @throws NullPointerException if value is null
     */
    public Bytes {
        value = Objects.requireNonNull(value, "value").clone();
    }

    /**
     * @param value the bytes
     * @return a byte string holding a copy of them
     */
    public static Bytes of(byte[] value) {
        return new Bytes(value);
    }

    /**
     * @param hex hexadecimal text, upper or lower case, even length
     * @return the bytes
     * @throws IllegalArgumentException if the text is not hex
     */
    public static Bytes fromHex(String hex) {
        return new Bytes(HexFormat.of().parseHex(Objects.requireNonNull(hex, "hex").trim()));
    }

    /** @return a copy of the bytes */
    @Override
    public byte[] value() {
        return value.clone();
    }

    /** @return the length in bytes */
    public int length() {
        return value.length;
    }

    /** @return true if there are no bytes */
    public boolean isEmpty() {
        return value.length == 0;
    }

    /**
     * @param index an index 0..length-1
     * @return the byte there
     */
    public byte at(int index) {
        return value[index];
    }

    /** @return the bytes as lower-case hex */
    public String hex() {
        return HexFormat.of().formatHex(value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes b && Arrays.equals(value, b.value);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(value);
    }

    @Override
    public int compareTo(Bytes o) {
        return Arrays.compareUnsigned(value, o.value);
    }

    /** @return the hex form */
    @Override
    public String toString() {
        return hex();
    }
}
