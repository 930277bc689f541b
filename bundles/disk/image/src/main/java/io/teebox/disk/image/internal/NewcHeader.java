package io.teebox.disk.image.internal;

import io.teebox.disk.image.DiskImageException;
import io.teebox.disk.image.DiskImageException.Reason;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The newc member header: c_magic "070701" and thirteen fields of 8 ASCII hex digits (c_ino, c_mode, c_uid, c_gid,
 * c_nlink, c_mtime, c_filesize, c_devmajor, c_devminor, c_rdevmajor, c_rdevminor, c_namesize, c_check), 110 bytes,
 * then the name with its NUL (c_namesize counts it) padded to 4 bytes from the header's start, then the data padded
 * to 4 bytes. c_check is zero in newc (070702 would carry a checksum).
 *
 * @param ino c_ino
 * @param mode c_mode
 * @param uid c_uid
 * @param gid c_gid
 * @param nlink c_nlink
 * @param mtime c_mtime
 * @param filesize c_filesize
 * @param devmajor c_devmajor
 * @param devminor c_devminor
 * @param rdevmajor c_rdevmajor
 * @param rdevminor c_rdevminor
 * @param name the name, c_namesize - 1 bytes before its NUL
 */
public record NewcHeader(long ino, long mode, long uid, long gid, long nlink, long mtime, long filesize,
        long devmajor, long devminor, long rdevmajor, long rdevminor, String name) {

    /** c_magic. */
    public static final String MAGIC = "070701";
    /** The header's size before the name. */
    public static final int SIZE = 110;
    private static final String[] FIELDS = {"c_ino", "c_mode", "c_uid", "c_gid", "c_nlink", "c_mtime",
        "c_filesize", "c_devmajor", "c_devminor", "c_rdevmajor", "c_rdevminor", "c_namesize", "c_check"};

    /**
     * A parsed member.
     *
     * @param header the header
     * @param data the member's data
     * @param next the offset of the next header
     */
    public record Parsed(NewcHeader header, byte[] data, int next) {
    }

    private static int pad4(int n) {
        return (4 - (n & 3)) & 3;
    }

    /**
     * Writes a member.
     *
     * @param out where
     * @param h the header; c_filesize must be the data's length
     * @param data the data
     */
    public static void write(ByteArrayOutputStream out, NewcHeader h, byte[] data) {
        byte[] name = h.name().getBytes(StandardCharsets.UTF_8);
        String head = String.format("%s%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x", MAGIC, h.ino(),
                h.mode(), h.uid(), h.gid(), h.nlink(), h.mtime(), (long) data.length, h.devmajor(), h.devminor(),
                h.rdevmajor(), h.rdevminor(), (long) name.length + 1, 0L);
        out.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(name);
        out.write(0);
        out.writeBytes(new byte[pad4(SIZE + name.length + 1)]);
        out.writeBytes(data);
        out.writeBytes(new byte[pad4(data.length)]);
    }

    /**
     * Parses the member at {@code off}.
     *
     * @param a the archive
     * @param off the header's offset, a multiple of 4
     * @return the member
     * @throws DiskImageException CPIO_TRUNCATED or CPIO_FORMAT
     */
    public static Parsed parse(byte[] a, int off) {
        if (off + SIZE > a.length) {
            throw new DiskImageException(Reason.CPIO_TRUNCATED, "cpio archive ends at byte " + a.length
                    + " inside the header at " + off + ", expected " + SIZE + " header bytes (and a TRAILER!!!)");
        }
        String magic = new String(a, off, 6, StandardCharsets.US_ASCII);
        if (!magic.equals(MAGIC)) {
            throw new DiskImageException(Reason.CPIO_FORMAT, "cpio c_magic at byte " + off + " is \""
                    + printable(magic) + "\", expected \"070701\" (newc)");
        }
        long[] v = new long[FIELDS.length];
        for (int i = 0; i < FIELDS.length; i++) {
            int p = off + 6 + 8 * i;
            long x = 0;
            for (int j = 0; j < 8; j++) {
                int d = Character.digit(a[p + j], 16);
                if (d < 0) {
                    throw new DiskImageException(Reason.CPIO_FORMAT, "cpio " + FIELDS[i] + " at byte " + p + " is \""
                            + printable(new String(a, p, 8, StandardCharsets.US_ASCII))
                            + "\", expected 8 hex digits");
                }
                x = x << 4 | d;
            }
            v[i] = x;
        }
        if (v[12] != 0) {
            throw new DiskImageException(Reason.CPIO_FORMAT, String.format(
                    "cpio c_check at byte %d is 0x%08x, expected 0 in newc", off, v[12]));
        }
        long namesize = v[11];
        int nameStart = off + SIZE;
        if (namesize < 2) {
            throw new DiskImageException(Reason.CPIO_FORMAT, "cpio c_namesize at byte " + off + " is " + namesize
                    + ", expected at least 2 (a name and its NUL)");
        }
        if (namesize > a.length - nameStart) {
            throw new DiskImageException(Reason.CPIO_TRUNCATED, "cpio c_namesize at byte " + off + " is " + namesize
                    + ", beyond the " + (a.length - nameStart) + " bytes left after the header");
        }
        int nameEnd = nameStart + (int) namesize - 1;
        if (a[nameEnd] != 0) {
            throw new DiskImageException(Reason.CPIO_FORMAT, "cpio name at byte " + nameStart
                    + " has no NUL at its c_namesize " + namesize + ", expected a NUL-terminated name");
        }
        for (int i = nameStart; i < nameEnd; i++) {
            if (a[i] == 0) {
                throw new DiskImageException(Reason.CPIO_FORMAT, "cpio name at byte " + nameStart
                        + " has a NUL at byte " + i + ", expected it only at c_namesize " + namesize);
            }
        }
        String name = new String(a, nameStart, nameEnd - nameStart, StandardCharsets.UTF_8);
        int dataStart = nameEnd + 1 + pad4(SIZE + (int) namesize);
        long filesize = v[6];
        if (dataStart > a.length || filesize > a.length - dataStart) {
            throw new DiskImageException(Reason.CPIO_TRUNCATED, "cpio member " + name + " has c_filesize " + filesize
                    + ", beyond the " + Math.max(0, a.length - dataStart) + " bytes left");
        }
        checkZero(a, nameEnd + 1, dataStart, name, "name padding");
        int dataEnd = dataStart + (int) filesize;
        int next = dataEnd + pad4((int) filesize);
        if (next > a.length) {
            throw new DiskImageException(Reason.CPIO_TRUNCATED, "cpio member " + name + " ends at byte " + a.length
                    + " inside its data padding, expected " + next);
        }
        checkZero(a, dataEnd, next, name, "data padding");
        NewcHeader h = new NewcHeader(v[0], v[1], v[2], v[3], v[4], v[5], filesize, v[7], v[8], v[9], v[10], name);
        return new Parsed(h, Arrays.copyOfRange(a, dataStart, dataEnd), next);
    }

    private static void checkZero(byte[] a, int from, int to, String name, String what) {
        for (int i = from; i < to; i++) {
            if (a[i] != 0) {
                throw new DiskImageException(Reason.CPIO_FORMAT, "cpio member " + name + " " + what + " byte " + i
                        + " is 0x" + Integer.toHexString(a[i] & 0xff) + ", expected zero");
            }
        }
    }

    private static String printable(String s) {
        return s.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
