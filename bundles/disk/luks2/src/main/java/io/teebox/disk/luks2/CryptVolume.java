package io.teebox.disk.luks2;

import io.teebox.disk.luks2.Luks2Exception.Reason;
import io.teebox.disk.luks2.internal.HeaderStore;
import io.teebox.disk.luks2.internal.XtsPlain64;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * An unlocked LUKS2 volume: sector reads and writes through its aes-xts-plain64 data segment, the image holding only
 * ciphertext. Sector n of the volume lies at the segment offset plus n sectors, and its IV is n in 512-byte units
 * plus iv_tweak, as dm-crypt computes it. Not thread-safe.
 */
public final class CryptVolume {

    private final Path path;
    private final byte[] volumeKey;
    private final long offset;
    private final int sectorSize;
    private final long ivTweak;
    private final long size;
    private final XtsPlain64 xts;

    CryptVolume(Path path, byte[] volumeKey, long offset, long size, int sectorSize, long ivTweak) {
        this.size = size;
        this.path = Objects.requireNonNull(path, "path");
        this.volumeKey = volumeKey.clone();
        this.offset = offset;
        this.sectorSize = sectorSize;
        this.ivTweak = ivTweak;
        this.xts = new XtsPlain64(volumeKey, sectorSize);
    }

    /**
     * The volume key.
     *
     * @return a copy of the key
     */
    public byte[] volumeKey() {
        return volumeKey.clone();
    }

    /**
     * The sector size.
     *
     * @return the segment's sector_size in bytes
     */
    public int sectorSize() {
        return sectorSize;
    }

    /**
     * How many sectors the volume has: the segment's size, or up to the end of the image for a "dynamic" one.
     *
     * @return the number of whole sectors
     * @throws Luks2Exception if the image cannot be read
     */
    public long sectors() {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return sectors(ch);
        } catch (IOException e) {
            throw new Luks2Exception(Reason.IO, "cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * The plain64 IV of a sector: its number in 512-byte units plus iv_tweak.
     *
     * @param sector a sector number of the volume
     * @return the 64-bit IV
     */
    public long iv(long sector) {
        return sector * (sectorSize / 512) + ivTweak;
    }

    /**
     * Reads and decrypts consecutive sectors.
     *
     * @param sector the first sector
     * @param count how many
     * @return count * sectorSize() bytes of plaintext
     * @throws IllegalArgumentException if the range lies outside the volume
     * @throws Luks2Exception if the image cannot be read
     */
    public byte[] read(long sector, int count) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            check(ch, sector, count);
            byte[] data = HeaderStore.readAt(ch, offset + sector * sectorSize, Math.multiplyExact(count, sectorSize),
                    "data sectors " + sector + ".." + (sector + count - 1));
            xts.decrypt(data, 0, data.length, iv(sector));
            return data;
        } catch (IOException e) {
            throw new Luks2Exception(Reason.IO, "cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Encrypts and writes consecutive sectors.
     *
     * @param sector the first sector
     * @param plaintext a whole number of sectors
     * @throws IllegalArgumentException if the length is not a multiple of the sector size or the range lies outside
     *         the volume
     * @throws Luks2Exception if the image cannot be written
     */
    public void write(long sector, byte[] plaintext) {
        if (plaintext.length == 0 || plaintext.length % sectorSize != 0) {
            throw new IllegalArgumentException("write of " + plaintext.length + " bytes, expected a positive "
                    + "multiple of the " + sectorSize + "-byte sector");
        }
        byte[] data = plaintext.clone();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            check(ch, sector, data.length / sectorSize);
            xts.encrypt(data, 0, data.length, iv(sector));
            HeaderStore.writeAt(ch, offset + sector * sectorSize, data);
        } catch (IOException e) {
            throw new Luks2Exception(Reason.IO, "cannot write " + path + ": " + e.getMessage(), e);
        }
    }

    private void check(FileChannel ch, long sector, int count) throws IOException {
        long sectors = sectors(ch);
        if (sector < 0 || count < 1 || sector + count > sectors) {
            throw new IllegalArgumentException("sectors " + sector + ".." + (sector + count - 1) + " are outside "
                    + "the volume of " + sectors + " sectors");
        }
    }

    private long sectors(FileChannel ch) throws IOException {
        long available = Math.max(0, (ch.size() - offset) / sectorSize);
        return size < 0 ? available : Math.min(available, size / sectorSize);
    }

    @Override
    public String toString() {
        return "unlocked LUKS2 volume " + path + " (" + sectorSize + "-byte sectors at " + offset + ")";
    }
}
