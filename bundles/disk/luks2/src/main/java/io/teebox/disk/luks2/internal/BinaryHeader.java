package io.teebox.disk.luks2.internal;

import io.teebox.disk.luks2.Luks2Exception;
import io.teebox.disk.luks2.Luks2Exception.Reason;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.hex.Hex;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The 4096-byte LUKS2 binary header (struct luks2_hdr_disk, big-endian) that starts each of the two header copies;
 * its checksum covers the whole copy (binary header and JSON area, hdr_size bytes) with the csum field zeroed.
 *
 * @param secondary whether this is the secondary copy (magic "SKUL\xba\xbe")
 * @param hdrSize hdr_size: the binary header plus the JSON area
 * @param seqid seqid: the update counter, the same in both copies
 * @param label label (at most 47 bytes of UTF-8)
 * @param checksumAlg checksum_alg; only "sha256" is supported
 * @param salt salt: 64 random bytes, different in each copy
 * @param uuid uuid: the volume's UUID as text
 * @param subsystem subsystem (at most 47 bytes of UTF-8)
 * @param hdrOffset hdr_offset: where this copy starts, 0 or hdr_size
 */
public record BinaryHeader(boolean secondary, long hdrSize, long seqid, String label, String checksumAlg,
        byte[] salt, String uuid, String subsystem, long hdrOffset) {

    /** LUKS2_HDR_BIN_LEN. */
    public static final int SIZE = 4096;
    /** The magic of the primary copy. */
    static final byte[] MAGIC_1ST = {'L', 'U', 'K', 'S', (byte) 0xBA, (byte) 0xBE};
    /** The magic of the secondary copy. */
    static final byte[] MAGIC_2ND = {'S', 'K', 'U', 'L', (byte) 0xBA, (byte) 0xBE};

    static final int MAGIC = 0, MAGIC_L = 6;
    static final int VERSION = 6;
    static final int HDR_SIZE = 8;
    static final int SEQID = 16;
    static final int LABEL = 24, LABEL_L = 48;
    static final int CHECKSUM_ALG = 72, CHECKSUM_ALG_L = 32;
    static final int SALT = 104, SALT_L = 64;
    static final int UUID = 168, UUID_L = 40;
    static final int SUBSYSTEM = 208, SUBSYSTEM_L = 48;
    static final int HDR_OFFSET = 256;
    static final int PADDING = 264, PADDING_L = 184;
    static final int CSUM = 448, CSUM_L = 64;
    static final int PADDING4096 = 512;

    /** The hdr_size values the specification allows (16 KiB to 4 MiB, powers of two). */
    public static final List<Long> ALLOWED_SIZES = List.of(0x4000L, 0x8000L, 0x10000L, 0x20000L, 0x40000L,
            0x80000L, 0x100000L, 0x200000L, 0x400000L);

    /**
     * Checks the fields.
     *
     * @throws IllegalArgumentException if a field does not fit its place
     */
    public BinaryHeader {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(checksumAlg, "checksumAlg");
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(subsystem, "subsystem");
        if (salt.length != SALT_L) {
            throw new IllegalArgumentException("salt is " + salt.length + " bytes, expected " + SALT_L);
        }
        salt = salt.clone();
        fits("label", label, LABEL_L);
        fits("checksum_alg", checksumAlg, CHECKSUM_ALG_L);
        fits("uuid", uuid, UUID_L);
        fits("subsystem", subsystem, SUBSYSTEM_L);
    }

    private static void fits(String field, String value, int length) {
        if (value.getBytes(StandardCharsets.UTF_8).length > length - 1) {
            throw new IllegalArgumentException(field + " is " + value.getBytes(StandardCharsets.UTF_8).length
                    + " bytes, expected at most " + (length - 1));
        }
    }

    @Override
    public byte[] salt() {
        return salt.clone();
    }

    /**
     * The size of the JSON area that follows the binary header.
     *
     * @return hdr_size - 4096
     */
    public int jsonSize() {
        return (int) (hdrSize - SIZE);
    }

    /**
     * Writes this header copy: the binary header, the JSON text padded with zeros to the JSON area, and the checksum.
     *
     * @param json the JSON metadata text
     * @return hdr_size bytes
     * @throws IllegalArgumentException if the JSON (with its terminating zero) does not fit the JSON area
     */
    public byte[] write(String json) {
        byte[] text = json.getBytes(StandardCharsets.UTF_8);
        if (text.length > jsonSize() - 1) {
            throw new IllegalArgumentException("JSON metadata is " + text.length + " bytes, expected at most "
                    + (jsonSize() - 1) + " in a JSON area of " + jsonSize());
        }
        byte[] out = new byte[(int) hdrSize];
        ByteBuffer b = ByteBuffer.wrap(out);
        b.put(MAGIC, secondary ? MAGIC_2ND : MAGIC_1ST);
        b.putShort(VERSION, (short) 2);
        b.putLong(HDR_SIZE, hdrSize);
        b.putLong(SEQID, seqid);
        putString(out, LABEL, label);
        putString(out, CHECKSUM_ALG, checksumAlg);
        System.arraycopy(salt, 0, out, SALT, SALT_L);
        putString(out, UUID, uuid);
        putString(out, SUBSYSTEM, subsystem);
        b.putLong(HDR_OFFSET, hdrOffset);
        System.arraycopy(text, 0, out, SIZE, text.length);
        byte[] csum = Digests.sha256(out);
        System.arraycopy(csum, 0, out, CSUM, csum.length);
        return out;
    }

    /**
     * Checks the binary header of a copy before its JSON area is read: magic, version, hdr_offset and hdr_size, as
     * cryptsetup's hdr_disk_sanity_check_pre does.
     *
     * @param data at least the 4096 bytes of the binary header
     * @param expectedOffset where the copy was read from
     * @param secondary whether the secondary copy is expected
     * @return hdr_size
     * @throws Luks2Exception if a check fails
     */
    public static long checkPre(byte[] data, long expectedOffset, boolean secondary) {
        String which = secondary ? "secondary" : "primary";
        if (data.length < SIZE) {
            throw new Luks2Exception(Reason.TRUNCATED, "LUKS2 " + which + " header at 0x" + Long.toHexString(
                    expectedOffset) + " has " + data.length + " bytes, expected " + SIZE);
        }
        ByteBuffer b = ByteBuffer.wrap(data);
        byte[] magic = Arrays.copyOfRange(data, MAGIC, MAGIC + MAGIC_L);
        byte[] want = secondary ? MAGIC_2ND : MAGIC_1ST;
        if (!Arrays.equals(magic, want)) {
            throw new Luks2Exception(Reason.BAD_MAGIC, "LUKS2 " + which + " header magic at 0x"
                    + Long.toHexString(expectedOffset) + " is " + Hex.encode(magic) + ", expected " + Hex.encode(want));
        }
        int version = Short.toUnsignedInt(b.getShort(VERSION));
        if (version != 2) {
            throw new Luks2Exception(Reason.BAD_VERSION, "LUKS2 " + which + " header version is " + version
                    + ", expected 2");
        }
        long hdrOffset = b.getLong(HDR_OFFSET);
        if (hdrOffset != expectedOffset) {
            throw new Luks2Exception(Reason.BAD_OFFSET, "LUKS2 " + which + " header hdr_offset is 0x"
                    + Long.toHexString(hdrOffset) + ", expected 0x" + Long.toHexString(expectedOffset));
        }
        long hdrSize = b.getLong(HDR_SIZE);
        if (!ALLOWED_SIZES.contains(hdrSize)) {
            throw new Luks2Exception(Reason.BAD_OFFSET, "LUKS2 " + which + " header hdr_size is 0x"
                    + Long.toHexString(hdrSize) + ", expected a power of two from 0x4000 to 0x400000");
        }
        if (secondary && hdrSize != expectedOffset) {
            throw new Luks2Exception(Reason.BAD_OFFSET, "LUKS2 secondary header at 0x" + Long.toHexString(
                    expectedOffset) + " has hdr_size 0x" + Long.toHexString(hdrSize) + ", expected its offset");
        }
        return hdrSize;
    }

    /**
     * Parses one header copy: checks it as {@link #checkPre} does, then its checksum over hdr_size bytes, the zero
     * padding, and that the JSON area is text followed by zeros.
     *
     * @param copy the hdr_size bytes of the copy
     * @param expectedOffset where the copy was read from
     * @param secondary whether the secondary copy is expected
     * @return the header and its JSON text
     * @throws Luks2Exception if a check fails
     */
    public static Parsed parse(byte[] copy, long expectedOffset, boolean secondary) {
        String which = secondary ? "secondary" : "primary";
        long hdrSize = checkPre(copy, expectedOffset, secondary);
        if (copy.length != hdrSize) {
            throw new Luks2Exception(Reason.TRUNCATED, "LUKS2 " + which + " header copy has " + copy.length
                    + " bytes, expected hdr_size " + hdrSize);
        }
        String alg = getString(copy, CHECKSUM_ALG, CHECKSUM_ALG_L);
        if (!alg.equals("sha256")) {
            throw new Luks2Exception(Reason.UNSUPPORTED, "LUKS2 " + which + " header checksum_alg is '" + alg
                    + "', expected 'sha256'");
        }
        byte[] found = Arrays.copyOfRange(copy, CSUM, CSUM + 32);
        byte[] zeroed = copy.clone();
        Arrays.fill(zeroed, CSUM, CSUM + CSUM_L, (byte) 0);
        byte[] want = Digests.sha256(zeroed);
        if (!MessageDigest.isEqual(found, want)) {
            throw new Luks2Exception(Reason.BAD_CHECKSUM, "LUKS2 " + which + " header checksum is "
                    + Hex.encode(found) + ", expected " + Hex.encode(want));
        }
        ByteBuffer b = ByteBuffer.wrap(copy);
        int end = SIZE;
        while (end < copy.length && copy[end] != 0) {
            end++;
        }
        if (end == copy.length) {
            throw new Luks2Exception(Reason.BAD_METADATA, "LUKS2 " + which + " JSON area has no terminating zero "
                    + "in " + (hdrSize - SIZE) + " bytes");
        }
        for (int i = end; i < copy.length; i++) {
            if (copy[i] != 0) {
                throw new Luks2Exception(Reason.BAD_METADATA, String.format("LUKS2 %s JSON area has byte 0x%02x "
                        + "at offset %d beyond the JSON text, expected zeros", which, copy[i] & 0xFF, i - SIZE));
            }
        }
        String json = new String(copy, SIZE, end - SIZE, StandardCharsets.UTF_8);
        BinaryHeader h = new BinaryHeader(secondary, hdrSize, b.getLong(SEQID), getString(copy, LABEL, LABEL_L), alg,
                Arrays.copyOfRange(copy, SALT, SALT + SALT_L), getString(copy, UUID, UUID_L),
                getString(copy, SUBSYSTEM, SUBSYSTEM_L), b.getLong(HDR_OFFSET));
        return new Parsed(h, json);
    }

    /**
     * One parsed header copy.
     *
     * @param header the binary header
     * @param json the JSON text of its JSON area
     */
    public record Parsed(BinaryHeader header, String json) {
    }

    private static void putString(byte[] out, int offset, String value) {
        byte[] s = value.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(s, 0, out, offset, s.length);
    }

    private static String getString(byte[] data, int offset, int length) {
        int end = offset;
        while (end < offset + length - 1 && data[end] != 0) {
            end++;
        }
        return new String(data, offset, end - offset, StandardCharsets.UTF_8);
    }
}
