package io.teebox.disk.image.internal;

import io.teebox.disk.image.DiskImageException;
import io.teebox.disk.image.DiskImageException.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Sector reads from an image in memory or a file; only the GPT's sectors are read, never the whole image. */
public interface Disk {

    /** The logical block size of every teebox image. */
    int SECTOR = 512;

    /**
     * The number of whole sectors.
     *
     * @return the sectors
     */
    long sectors();

    /**
     * Reads sectors.
     *
     * @param lba the first
     * @param count how many
     * @return their bytes
     * @throws DiskImageException GPT_HEADER if the range lies beyond the image (a header pointed there), IO if it cannot
     *         be read
     */
    byte[] read(long lba, int count);

    /**
     * An image in memory.
     *
     * @param image the bytes
     * @return the disk
     */
    static Disk of(byte[] image) {
        return new Disk() {
            @Override
            public long sectors() {
                return image.length / SECTOR;
            }

            @Override
            public byte[] read(long lba, int count) {
                check(lba, count, sectors());
                byte[] out = new byte[count * SECTOR];
                System.arraycopy(image, (int) (lba * SECTOR), out, 0, out.length);
                return out;
            }
        };
    }

    /**
     * An image file, read through an open channel.
     *
     * @param ch the channel
     * @return the disk
     */
    static Disk of(FileChannel ch) {
        return new Disk() {
            @Override
            public long sectors() {
                try {
                    return ch.size() / SECTOR;
                } catch (IOException e) {
                    throw new DiskImageException(Reason.IO, "cannot read the image size: " + e.getMessage(), e);
                }
            }

            @Override
            public byte[] read(long lba, int count) {
                check(lba, count, sectors());
                ByteBuffer b = ByteBuffer.allocate(count * SECTOR);
                try {
                    while (b.hasRemaining()) {
                        if (ch.read(b, lba * SECTOR + b.position()) < 0) {
                            throw new DiskImageException(Reason.IO, "image ended at byte "
                                    + (lba * SECTOR + b.position()) + ", expected " + count + " sectors at LBA " + lba);
                        }
                    }
                } catch (IOException e) {
                    throw new DiskImageException(Reason.IO, "cannot read LBA " + lba + ": " + e.getMessage(), e);
                }
                return b.array();
            }
        };
    }

    private static void check(long lba, int count, long sectors) {
        if (lba < 0 || count < 0 || lba + count > sectors) {
            throw new DiskImageException(Reason.GPT_HEADER, "LBA " + lba + ".." + (lba + count - 1)
                    + " lies beyond the image's " + sectors + " sectors");
        }
    }
}
