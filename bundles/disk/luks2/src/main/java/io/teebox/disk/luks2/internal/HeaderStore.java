package io.teebox.disk.luks2.internal;

import io.teebox.disk.luks2.Luks2Exception;
import io.teebox.disk.luks2.Luks2Exception.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.SecureRandom;

/**
 * Reads and writes the two LUKS2 header copies. Reading follows cryptsetup's recovery: the primary copy at offset 0
 * and the secondary at its hdr_size; the valid copy with the higher seqid wins; when the primary is unreadable the
 * secondary is looked for at every allowed hdr_size.
 */
public final class HeaderStore {

    private HeaderStore() {
    }

    /**
     * One header copy read from an image, with its metadata.
     *
     * @param header the binary header
     * @param json the JSON text
     * @param metadata the parsed metadata
     * @param recovered whether the copy used is the secondary because the primary was refused
     * @param otherFailure why the copy not used was refused, or null if it was valid
     */
    public record Loaded(BinaryHeader header, String json, Metadata metadata, boolean recovered,
            Luks2Exception otherFailure) {
        Loaded with(boolean isRecovered, Luks2Exception failure) {
            return new Loaded(header, json, metadata, isRecovered, failure);
        }
    }

    /**
     * Reads the header of an image.
     *
     * @param ch the image
     * @return the copy to use
     * @throws Luks2Exception if neither copy is valid (with the primary copy's reason)
     */
    public static Loaded read(FileChannel ch) {
        Loaded primary;
        try {
            primary = readCopy(ch, 0, false);
        } catch (Luks2Exception p) {
            StringBuilder tried = new StringBuilder();
            for (long offset : BinaryHeader.ALLOWED_SIZES) {
                try {
                    Loaded s = readCopy(ch, offset, true);
                    return s.with(true, p);
                } catch (Luks2Exception s) {
                    if (tried.length() == 0) {
                        tried.append(" (at 0x").append(Long.toHexString(offset)).append(": ")
                                .append(s.getMessage()).append(')');
                    }
                }
            }
            throw new Luks2Exception(p.reason(), p.getMessage() + "; no valid secondary header either" + tried, p);
        }
        try {
            Loaded secondary = readCopy(ch, primary.header().hdrSize(), true);
            if (secondary.header().seqid() > primary.header().seqid()) {
                return secondary;
            }
        } catch (Luks2Exception s) {
            // cryptsetup opens with a valid primary alone (and repairs the secondary); so do we, read-only
            return primary.with(false, s);
        }
        return primary;
    }

    private static Loaded readCopy(FileChannel ch, long offset, boolean secondary) {
        byte[] bin = readAt(ch, offset, BinaryHeader.SIZE, (secondary ? "secondary" : "primary") + " binary header");
        long hdrSize = BinaryHeader.checkPre(bin, offset, secondary);
        byte[] copy = readAt(ch, offset, (int) hdrSize, (secondary ? "secondary" : "primary") + " header copy");
        BinaryHeader.Parsed p = BinaryHeader.parse(copy, offset, secondary);
        Metadata m = Metadata.parse(p.json(), hdrSize);
        return new Loaded(p.header(), p.json(), m, false, null);
    }

    /**
     * Writes both header copies with fresh salts.
     *
     * @param ch the image
     * @param metadata the metadata
     * @param hdrSize the hdr_size of each copy
     * @param seqid the seqid of both copies
     * @param uuid the volume UUID
     * @param label the label
     * @param random the source of the salts
     * @throws Luks2Exception if writing fails
     */
    public static void write(FileChannel ch, Metadata metadata, long hdrSize, long seqid, String uuid, String label,
            SecureRandom random) {
        String json = metadata.toJson();
        for (boolean secondary : new boolean[] {false, true}) {
            byte[] salt = new byte[BinaryHeader.SALT_L];
            random.nextBytes(salt);
            BinaryHeader h = new BinaryHeader(secondary, hdrSize, seqid, label, "sha256", salt, uuid, "",
                    secondary ? hdrSize : 0);
            writeAt(ch, h.hdrOffset(), h.write(json));
        }
    }

    /**
     * Reads exactly {@code length} bytes.
     *
     * @param ch the image
     * @param offset where
     * @param length how many
     * @param what the structure, for the message
     * @return the bytes
     * @throws Luks2Exception if the image ends first or reading fails
     */
    public static byte[] readAt(FileChannel ch, long offset, int length, String what) {
        try {
            long size = ch.size();
            if (offset + length > size) {
                throw new Luks2Exception(Reason.TRUNCATED, String.format("image is %d bytes, the %s needs "
                        + "[0x%x, 0x%x)", size, what, offset, offset + length));
            }
            ByteBuffer buf = ByteBuffer.allocate(length);
            while (buf.hasRemaining()) {
                if (ch.read(buf, offset + buf.position()) < 0) {
                    throw new Luks2Exception(Reason.TRUNCATED, "image ended at 0x" + Long.toHexString(offset
                            + buf.position()) + " inside the " + what);
                }
            }
            return buf.array();
        } catch (IOException e) {
            throw new Luks2Exception(Reason.IO, "cannot read the " + what + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes bytes.
     *
     * @param ch the image
     * @param offset where
     * @param data what
     * @throws Luks2Exception if writing fails
     */
    public static void writeAt(FileChannel ch, long offset, byte[] data) {
        try {
            ByteBuffer buf = ByteBuffer.wrap(data);
            while (buf.hasRemaining()) {
                ch.write(buf, offset + buf.position());
            }
        } catch (IOException e) {
            throw new Luks2Exception(Reason.IO, "cannot write " + data.length + " bytes at 0x"
                    + Long.toHexString(offset) + ": " + e.getMessage(), e);
        }
    }
}
