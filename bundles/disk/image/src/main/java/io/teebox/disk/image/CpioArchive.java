package io.teebox.disk.image;

import io.teebox.disk.image.internal.NewcHeader;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A cpio archive in the "newc" format (the SVR4 portable format without checksum, magic 070701) that Linux reads as
 * an initramfs: each member is a 110-byte ASCII header of thirteen 8-hex-digit fields, the NUL-terminated name padded
 * so header and name end on 4 bytes, and the data padded to 4 bytes; the archive ends with a member named TRAILER!!!.
 */
public final class CpioArchive {

    /** The name of the last member. */
    public static final String TRAILER = "TRAILER!!!";

    private CpioArchive() {
    }

    /**
     * Writes an archive; inodes are numbered from 1 in order and each member has one link (two for a directory).
     *
     * @param entries the members
     * @return the archive, ending with the trailer and padded with zeros to a multiple of 4 bytes
     */
    public static byte[] write(List<CpioEntry> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int ino = 1;
        for (CpioEntry e : entries) {
            boolean dir = (e.mode() & CpioEntry.S_IFMT) == CpioEntry.S_IFDIR;
            NewcHeader.write(out, new NewcHeader(ino++, e.mode(), e.uid(), e.gid(), dir ? 2 : 1, e.mtime(),
                    e.data().length, 0, 0, 0, 0, e.name()), e.data());
        }
        NewcHeader.write(out, new NewcHeader(0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, TRAILER), new byte[0]);
        return out.toByteArray();
    }

    /**
     * Reads an archive up to its trailer; what follows the trailer must be zeros (block padding, as GNU cpio writes).
     *
     * @param archive the bytes
     * @return the members, without the trailer
     * @throws DiskImageException CPIO_FORMAT if a magic, hex field, name, check field or padding is wrong, or a
     *         hard-linked regular file is met (not supported), CPIO_TRUNCATED if the archive ends before a header,
     *         name, data or the trailer
     */
    public static List<CpioEntry> read(byte[] archive) {
        List<CpioEntry> out = new ArrayList<>();
        int off = 0;
        while (true) {
            NewcHeader.Parsed p = NewcHeader.parse(archive, off);
            NewcHeader h = p.header();
            if (h.name().equals(TRAILER)) {
                for (int i = p.next(); i < archive.length; i++) {
                    if (archive[i] != 0) {
                        throw new DiskImageException(DiskImageException.Reason.CPIO_FORMAT, "cpio byte " + i
                                + " after the trailer is 0x" + Integer.toHexString(archive[i] & 0xff)
                                + ", expected zero padding");
                    }
                }
                return out;
            }
            if ((h.mode() & CpioEntry.S_IFMT) == CpioEntry.S_IFREG && h.nlink() > 1) {
                throw new DiskImageException(DiskImageException.Reason.CPIO_FORMAT, "cpio member " + h.name()
                        + " has c_nlink " + h.nlink() + ", expected 1 (hard links are not supported)");
            }
            out.add(new CpioEntry(h.name(), (int) h.mode(), (int) h.uid(), (int) h.gid(), h.mtime(), p.data()));
            off = p.next();
        }
    }
}
