package io.teebox.disk.image;

import io.teebox.boot.eventlog.UefiGptData;
import io.teebox.boot.eventlog.UefiGptData.Header;
import io.teebox.boot.eventlog.UefiGptData.PartitionEntry;
import io.teebox.disk.image.DiskImageException.Reason;
import io.teebox.disk.image.internal.Disk;
import io.teebox.disk.image.internal.GptCodec;
import io.teebox.disk.image.internal.ProtectiveMbr;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A GUID partition table on a disk of 512-byte sectors (UEFI 2.10 chapter 5): the protective MBR in LBA 0, the primary
 * header in LBA 1 and its 128 entries of 128 bytes from LBA 2, the backup entries and header in the last 33 sectors.
 * The header and entry records are boot-eventlog's, so {@link #measured()} is the EV_EFI_GPT_EVENT data of this disk.
 *
 * @param header the header used: the primary one, or the backup one when the primary was refused
 * @param partitions the entries in use, in array order
 * @param diskSectors the disk's size in sectors
 * @param refusedPrimary why the primary copy was refused, when the backup was used
 * @param refusedBackup why the backup copy was refused while the primary was valid
 */
public record GuidPartitionTable(Header header, List<PartitionEntry> partitions, long diskSectors,
        Optional<DiskImageException> refusedPrimary, Optional<DiskImageException> refusedBackup) {

    /** The logical block size. */
    public static final int SECTOR_SIZE = Disk.SECTOR;
    /** NumberOfPartitionEntries written. */
    public static final int ENTRIES = 128;
    /** SizeOfPartitionEntry written. */
    public static final int ENTRY_SIZE = GptCodec.ENTRY_SIZE;
    /** The sectors of an entry array of 128 entries. */
    public static final int ARRAY_SECTORS = ENTRIES * ENTRY_SIZE / SECTOR_SIZE;
    /** FirstUsableLBA: after LBA 0, the primary header and its entries. */
    public static final long FIRST_USABLE_LBA = 2 + ARRAY_SECTORS;
    /** Partitions start at multiples of 1 MiB, as sgdisk and sfdisk align them. */
    public static final long ALIGNMENT = 2048;

    /**
     * Copies the list.
     */
    public GuidPartitionTable {
        partitions = List.copyOf(partitions);
    }

    /**
     * Lays out a table: the primary header (MyLBA 1, AlternateLBA the last sector, PartitionEntryLBA 2) and its CRCs.
     *
     * @param diskSectors the disk's size in sectors, at least 68
     * @param diskGuid DiskGUID
     * @param partitions the partitions, at most 128
     * @return the table
     * @throws DiskImageException GPT_ENTRY or GPT_OVERLAP if a partition lies outside the usable sectors or overlaps
     *         another
     * @throws IllegalArgumentException if the disk is too small or there are too many partitions
     */
    public static GuidPartitionTable create(long diskSectors, UUID diskGuid, List<PartitionEntry> partitions) {
        Objects.requireNonNull(diskGuid, "diskGuid");
        if (diskSectors < 2 * FIRST_USABLE_LBA || partitions.size() > ENTRIES) {
            throw new IllegalArgumentException("disk of " + diskSectors + " sectors with " + partitions.size()
                    + " partitions, expected at least " + 2 * FIRST_USABLE_LBA + " sectors and at most 128");
        }
        byte[] array = GptCodec.writeEntries(partitions, ENTRIES);
        Header h = new Header(GptCodec.REVISION, GptCodec.HEADER_SIZE, 0, 1, diskSectors - 1, FIRST_USABLE_LBA,
                diskSectors - 2 - ARRAY_SECTORS, diskGuid, 2, ENTRIES, ENTRY_SIZE,
                GptCodec.crc32(array, 0, array.length));
        h = withCrc(h);
        GptCodec.checkEntries(partitions, h);
        return new GuidPartitionTable(h, partitions, diskSectors, Optional.empty(), Optional.empty());
    }

    private static Header withCrc(Header h) {
        byte[] s = GptCodec.writeHeader(h);
        long crc = Integer.toUnsignedLong((s[16] & 0xff) | (s[17] & 0xff) << 8 | (s[18] & 0xff) << 16
                | (s[19] & 0xff) << 24);
        return new Header(h.revision(), h.headerSize(), crc, h.myLba(), h.alternateLba(), h.firstUsableLba(),
                h.lastUsableLba(), h.diskGuid(), h.partitionEntryLba(), h.numberOfPartitionEntries(),
                h.sizeOfPartitionEntry(), h.partitionEntryArrayCrc32());
    }

    /**
     * The backup header: MyLBA and AlternateLBA swapped, its entries in the 32 sectors before it.
     *
     * @return the header with its CRC
     */
    public Header backupHeader() {
        if (header.myLba() != 1) {
            return header;
        }
        long last = header.alternateLba();
        return withCrc(new Header(header.revision(), header.headerSize(), 0, last, 1, header.firstUsableLba(),
                header.lastUsableLba(), header.diskGuid(), last - ARRAY_SECTORS, header.numberOfPartitionEntries(),
                header.sizeOfPartitionEntry(), header.partitionEntryArrayCrc32()));
    }

    /**
     * The primary header: MyLBA 1.
     *
     * @return the header with its CRC
     */
    public Header primaryHeader() {
        if (header.myLba() == 1) {
            return header;
        }
        return withCrc(new Header(header.revision(), header.headerSize(), 0, 1, header.myLba(),
                header.firstUsableLba(), header.lastUsableLba(), header.diskGuid(), 2,
                header.numberOfPartitionEntries(), header.sizeOfPartitionEntry(), header.partitionEntryArrayCrc32()));
    }

    /**
     * Writes the protective MBR, both headers and both entry arrays into an image in memory.
     *
     * @param image the image, {@link #diskSectors()} sectors long
     * @throws IllegalArgumentException if the image has another size
     */
    public void writeTo(byte[] image) {
        if (image.length != diskSectors * SECTOR_SIZE) {
            throw new IllegalArgumentException("image is " + image.length + " bytes, expected "
                    + diskSectors * SECTOR_SIZE);
        }
        Header p = primaryHeader();
        Header b = backupHeader();
        byte[] array = GptCodec.writeEntries(partitions, (int) p.numberOfPartitionEntries());
        System.arraycopy(ProtectiveMbr.write(diskSectors), 0, image, 0, SECTOR_SIZE);
        System.arraycopy(GptCodec.writeHeader(p), 0, image, (int) (p.myLba() * SECTOR_SIZE), SECTOR_SIZE);
        System.arraycopy(array, 0, image, (int) (p.partitionEntryLba() * SECTOR_SIZE), array.length);
        System.arraycopy(array, 0, image, (int) (b.partitionEntryLba() * SECTOR_SIZE), array.length);
        System.arraycopy(GptCodec.writeHeader(b), 0, image, (int) (b.myLba() * SECTOR_SIZE), SECTOR_SIZE);
    }

    /**
     * The EV_EFI_GPT_EVENT data firmware measures into PCR 5 for this disk: the primary header and the entries in use.
     *
     * @return the event data
     */
    public UefiGptData measured() {
        return new UefiGptData(primaryHeader(), partitions);
    }

    /**
     * Reads the table of an image in memory.
     *
     * @param image the image
     * @return the table
     * @throws DiskImageException see {@link #read(Path)}
     */
    public static GuidPartitionTable read(byte[] image) {
        return read(Disk.of(image));
    }

    /**
     * Reads the table of an image file: checks the protective MBR, then the primary header and entries (signature,
     * revision, sizes, MyLBA, CRC32s, reserved bytes); when the primary is refused the backup at the last sector is
     * used, as firmware does, and the refusal is kept in {@link #refusedPrimary()}. The entries must lie in the usable
     * LBAs without overlapping.
     *
     * @param image the image file
     * @return the table
     * @throws DiskImageException PROTECTIVE_MBR, GPT_NO_VALID_COPY when both copies are refused, GPT_ENTRY or
     *         GPT_OVERLAP for bad entries, IO if the file cannot be read
     */
    public static GuidPartitionTable read(Path image) {
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ)) {
            return read(Disk.of(ch));
        } catch (IOException e) {
            throw new DiskImageException(Reason.IO, "cannot read " + image + ": " + e.getMessage(), e);
        }
    }

    private record Copy(Header header, List<PartitionEntry> entries) {
    }

    private static Copy copy(Disk d, long lba, String which) {
        Header h = GptCodec.parseHeader(d.read(lba, 1), lba, d.sectors(), which);
        byte[] array = d.read(h.partitionEntryLba(), (int) GptCodec.arraySectors(h));
        return new Copy(h, GptCodec.parseEntries(array, h, which));
    }

    private static GuidPartitionTable read(Disk d) {
        long n = d.sectors();
        if (n < 2 * FIRST_USABLE_LBA) {
            throw new DiskImageException(Reason.GPT_HEADER, "image has " + n + " sectors, expected at least "
                    + 2 * FIRST_USABLE_LBA + " for a GPT");
        }
        ProtectiveMbr.parse(d.read(0, 1), n);
        Copy primary;
        try {
            primary = copy(d, 1, "primary");
        } catch (DiskImageException e) {
            Copy backup;
            try {
                backup = copy(d, n - 1, "backup");
            } catch (DiskImageException e2) {
                throw new DiskImageException(Reason.GPT_NO_VALID_COPY, "no valid GPT: " + e.getMessage() + "; "
                        + e2.getMessage(), e2);
            }
            GptCodec.checkEntries(backup.entries(), backup.header());
            return new GuidPartitionTable(backup.header(), backup.entries(), n, Optional.of(e), Optional.empty());
        }
        GptCodec.checkEntries(primary.entries(), primary.header());
        Optional<DiskImageException> refusedBackup = Optional.empty();
        try {
            long alt = primary.header().alternateLba();
            if (alt <= 1 || alt >= n) {
                throw new DiskImageException(Reason.GPT_HEADER, "primary GPT header AlternateLBA is "
                        + Long.toUnsignedString(alt) + ", expected " + (n - 1));
            }
            copy(d, alt, "backup");
        } catch (DiskImageException e) {
            refusedBackup = Optional.of(e);
        }
        return new GuidPartitionTable(primary.header(), primary.entries(), n, Optional.empty(), refusedBackup);
    }

    /**
     * Whether the backup copy was used because the primary was refused.
     *
     * @return true if so
     */
    public boolean fromBackup() {
        return refusedPrimary.isPresent();
    }
}
