package io.teebox.disk.image.internal;

import io.teebox.boot.eventlog.UefiGptData.Header;
import io.teebox.boot.eventlog.UefiGptData.PartitionEntry;
import io.teebox.disk.image.DiskImageException;
import io.teebox.disk.image.DiskImageException.Reason;
import io.teebox.kit.firmware.EfiGuid;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.zip.CRC32;

/**
 * EFI_PARTITION_TABLE_HEADER (UEFI 2.10 table 5.5) in its sector, the rest of which is reserved and zero, and the
 * array of EFI_PARTITION_ENTRY (table 5.6). The records are boot-eventlog's, so the disk and the PCR 5 event share them.
 */
public final class GptCodec {

    /** "EFI PART" as a little-endian UINT64. */
    public static final long SIGNATURE = 0x5452415020494645L;
    /** GPT 1.0. */
    public static final long REVISION = 0x00010000L;
    /** HeaderSize. */
    public static final int HEADER_SIZE = 92;
    /** Offset of HeaderCRC32. */
    public static final int HEADER_CRC32 = 16;
    /** Offset of Reserved (UINT32). */
    public static final int RESERVED = 20;
    /** The defined bytes of an entry. */
    public static final int ENTRY_SIZE = 128;
    /** Offset of PartitionName in an entry, 36 CHAR16. */
    public static final int PARTITION_NAME = 56;
    /** The bytes of PartitionName. */
    public static final int PARTITION_NAME_SIZE = 72;
    /** The all-zero GUID of an unused entry. */
    public static final UUID UNUSED = new UUID(0, 0);

    private GptCodec() {
    }

    /**
     * CRC32 as UEFI uses it (ISO 3309, the same as zlib's).
     *
     * @param b the bytes
     * @param off the start
     * @param len the length
     * @return the CRC
     */
    public static long crc32(byte[] b, int off, int len) {
        CRC32 c = new CRC32();
        c.update(b, off, len);
        return c.getValue();
    }

    /**
     * Writes a header sector; HeaderCRC32 is computed here, whatever the record holds.
     *
     * @param h the header
     * @return the 512-byte sector
     */
    public static byte[] writeHeader(Header h) {
        ByteBuffer b = ByteBuffer.allocate(Disk.SECTOR).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(SIGNATURE).putInt((int) h.revision()).putInt((int) h.headerSize()).putInt(0).putInt(0)
                .putLong(h.myLba()).putLong(h.alternateLba()).putLong(h.firstUsableLba()).putLong(h.lastUsableLba())
                .put(EfiGuid.bytes(h.diskGuid())).putLong(h.partitionEntryLba())
                .putInt((int) h.numberOfPartitionEntries()).putInt((int) h.sizeOfPartitionEntry())
                .putInt((int) h.partitionEntryArrayCrc32());
        byte[] s = b.array();
        b.putInt(HEADER_CRC32, (int) crc32(s, 0, (int) h.headerSize()));
        return s;
    }

    /**
     * Parses and checks a header sector read at {@code lba}: Signature, Revision, HeaderSize, HeaderCRC32, Reserved,
     * MyLBA, the usable range and entry array within the disk, SizeOfPartitionEntry, and zero reserved bytes.
     *
     * @param s the sector
     * @param lba where it was read
     * @param diskSectors the disk's size
     * @param which "primary" or "backup", for messages
     * @return the header
     * @throws DiskImageException GPT_HEADER or GPT_HEADER_CRC
     */
    public static Header parseHeader(byte[] s, long lba, long diskSectors, String which) {
        ByteBuffer b = ByteBuffer.wrap(s).order(ByteOrder.LITTLE_ENDIAN);
        String f = which + " GPT header ";
        long sig = b.getLong(0);
        if (sig != SIGNATURE) {
            throw new DiskImageException(Reason.GPT_HEADER, String.format(
                    "%sat LBA %d: Signature is 0x%016x, expected 0x%016x (\"EFI PART\")", f, lba, sig, SIGNATURE));
        }
        long revision = Integer.toUnsignedLong(b.getInt(8));
        if (revision != REVISION) {
            throw new DiskImageException(Reason.GPT_HEADER, String.format("%sRevision is 0x%08x, expected 0x%08x", f,
                    revision, REVISION));
        }
        long headerSize = Integer.toUnsignedLong(b.getInt(12));
        if (headerSize < HEADER_SIZE || headerSize > Disk.SECTOR) {
            throw new DiskImageException(Reason.GPT_HEADER, f + "HeaderSize is " + headerSize
                    + ", expected 92 to the block size 512");
        }
        long crc = Integer.toUnsignedLong(b.getInt(HEADER_CRC32));
        byte[] zeroed = s.clone();
        ByteBuffer.wrap(zeroed).order(ByteOrder.LITTLE_ENDIAN).putInt(HEADER_CRC32, 0);
        long actual = crc32(zeroed, 0, (int) headerSize);
        if (crc != actual) {
            throw new DiskImageException(Reason.GPT_HEADER_CRC, String.format(
                    "%sHeaderCRC32 is 0x%08x, expected 0x%08x (CRC32 of its %d bytes with the field zeroed)", f, crc,
                    actual, headerSize));
        }
        int reserved = b.getInt(RESERVED);
        if (reserved != 0) {
            throw new DiskImageException(Reason.GPT_HEADER, String.format("%sReserved is 0x%08x, expected 0", f,
                    reserved));
        }
        for (int i = (int) headerSize; i < s.length; i++) {
            if (s[i] != 0) {
                throw new DiskImageException(Reason.GPT_HEADER, f + "byte " + i
                        + " of the reserved rest of the block is not zero, expected zero");
            }
        }
        Header h = new Header(revision, headerSize, crc, b.getLong(24), b.getLong(32), b.getLong(40), b.getLong(48),
                EfiGuid.read(s, 56), b.getLong(72), Integer.toUnsignedLong(b.getInt(80)),
                Integer.toUnsignedLong(b.getInt(84)), Integer.toUnsignedLong(b.getInt(88)));
        if (h.myLba() != lba) {
            throw new DiskImageException(Reason.GPT_HEADER, f + "MyLBA is " + Long.toUnsignedString(h.myLba())
                    + ", expected " + lba + " (where it was read)");
        }
        long size = h.sizeOfPartitionEntry();
        if (size < ENTRY_SIZE || Long.bitCount(size / ENTRY_SIZE) != 1 || size % ENTRY_SIZE != 0) {
            throw new DiskImageException(Reason.GPT_HEADER, f + "SizeOfPartitionEntry is " + size
                    + ", expected 128 times a power of two");
        }
        long arraySectors = arraySectors(h);
        if (h.numberOfPartitionEntries() == 0 || Long.compareUnsigned(h.partitionEntryLba(), 2) < 0
                || Long.compareUnsigned(h.partitionEntryLba() + arraySectors, diskSectors) > 0) {
            throw new DiskImageException(Reason.GPT_HEADER, f + "entry array of " + h.numberOfPartitionEntries()
                    + " entries at PartitionEntryLBA " + Long.toUnsignedString(h.partitionEntryLba())
                    + " does not lie within LBA 2.." + (diskSectors - 1));
        }
        if (Long.compareUnsigned(h.firstUsableLba(), h.lastUsableLba()) > 0
                || Long.compareUnsigned(h.lastUsableLba(), diskSectors) >= 0 || h.firstUsableLba() < 2) {
            throw new DiskImageException(Reason.GPT_HEADER, f + "FirstUsableLBA " + h.firstUsableLba()
                    + " and LastUsableLBA " + h.lastUsableLba() + " are not an ascending range within LBA 2.."
                    + (diskSectors - 1));
        }
        return h;
    }

    /**
     * The sectors the entry array takes.
     *
     * @param h the header
     * @return the count
     */
    public static long arraySectors(Header h) {
        return (h.numberOfPartitionEntries() * h.sizeOfPartitionEntry() + Disk.SECTOR - 1) / Disk.SECTOR;
    }

    /**
     * Writes an entry array of {@code count} 128-byte entries, the given ones first, the rest unused (zero).
     *
     * @param entries the partitions
     * @param count NumberOfPartitionEntries
     * @return the array, a whole number of sectors
     */
    public static byte[] writeEntries(List<PartitionEntry> entries, int count) {
        byte[] a = new byte[(count * ENTRY_SIZE + Disk.SECTOR - 1) / Disk.SECTOR * Disk.SECTOR];
        ByteBuffer b = ByteBuffer.wrap(a).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < entries.size(); i++) {
            PartitionEntry p = entries.get(i);
            int o = i * ENTRY_SIZE;
            EfiGuid.write(p.partitionTypeGuid(), a, o);
            EfiGuid.write(p.uniquePartitionGuid(), a, o + 16);
            b.putLong(o + 32, p.startingLba()).putLong(o + 40, p.endingLba()).putLong(o + 48, p.attributes());
            byte[] name = p.partitionName().getBytes(StandardCharsets.UTF_16LE);
            System.arraycopy(name, 0, a, o + PARTITION_NAME, name.length);
        }
        return a;
    }

    /**
     * Parses an entry array after its CRC was checked; entries whose PartitionTypeGUID is zero are unused and left out.
     *
     * @param a the array's bytes
     * @param h the header describing it
     * @param which "primary" or "backup", for messages
     * @return the entries in use, in array order
     * @throws DiskImageException GPT_ENTRIES_CRC if PartitionEntryArrayCRC32 does not match, GPT_ENTRY if a name is
     *         not NUL-padded UTF-16LE or reserved entry bytes are not zero
     */
    public static List<PartitionEntry> parseEntries(byte[] a, Header h, String which) {
        int size = (int) h.sizeOfPartitionEntry();
        int len = (int) (h.numberOfPartitionEntries() * size);
        long crc = crc32(a, 0, len);
        if (crc != h.partitionEntryArrayCrc32()) {
            throw new DiskImageException(Reason.GPT_ENTRIES_CRC, String.format(
                    "%s GPT PartitionEntryArrayCRC32 is 0x%08x, expected 0x%08x (CRC32 of the %d entries)", which,
                    h.partitionEntryArrayCrc32(), crc, h.numberOfPartitionEntries()));
        }
        ByteBuffer b = ByteBuffer.wrap(a).order(ByteOrder.LITTLE_ENDIAN);
        List<PartitionEntry> out = new ArrayList<>();
        for (int i = 0; i < h.numberOfPartitionEntries(); i++) {
            int o = i * size;
            UUID type = EfiGuid.read(a, o);
            if (type.equals(UNUSED)) {
                continue;
            }
            String f = which + " GPT entry " + (i + 1) + " ";
            for (int j = o + ENTRY_SIZE; j < o + size; j++) {
                if (a[j] != 0) {
                    throw new DiskImageException(Reason.GPT_ENTRY, f + "byte " + (j - o)
                            + " (reserved, beyond the 128 defined) is not zero, expected zero");
                }
            }
            out.add(new PartitionEntry(type, EfiGuid.read(a, o + 16), b.getLong(o + 32), b.getLong(o + 40),
                    b.getLong(o + 48), name(a, o + PARTITION_NAME, f)));
        }
        return out;
    }

    private static String name(byte[] a, int off, String f) {
        int len = 0;
        while (len < PARTITION_NAME_SIZE && (a[off + len] != 0 || a[off + len + 1] != 0)) {
            len += 2;
        }
        for (int i = len; i < PARTITION_NAME_SIZE; i++) {
            if (a[off + i] != 0) {
                throw new DiskImageException(Reason.GPT_ENTRY, f + "PartitionName has byte " + i
                        + " non-zero after its NUL, expected zero padding");
            }
        }
        try {
            return StandardCharsets.UTF_16LE.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(a, off, len)).toString();
        } catch (CharacterCodingException e) {
            throw new DiskImageException(Reason.GPT_ENTRY, f + "PartitionName is not valid UTF-16LE");
        }
    }

    /**
     * Checks the entries lie in the usable LBAs, each ends at or after its start, and none overlap.
     *
     * @param entries the entries in use
     * @param h the header
     * @throws DiskImageException GPT_ENTRY or GPT_OVERLAP
     */
    public static void checkEntries(List<PartitionEntry> entries, Header h) {
        for (int i = 0; i < entries.size(); i++) {
            PartitionEntry p = entries.get(i);
            if (Long.compareUnsigned(p.startingLba(), p.endingLba()) > 0
                    || Long.compareUnsigned(p.startingLba(), h.firstUsableLba()) < 0
                    || Long.compareUnsigned(p.endingLba(), h.lastUsableLba()) > 0) {
                throw new DiskImageException(Reason.GPT_ENTRY, "GPT partition \"" + p.partitionName() + "\" spans LBA "
                        + Long.toUnsignedString(p.startingLba()) + ".." + Long.toUnsignedString(p.endingLba())
                        + ", expected an ascending range within the usable LBA " + h.firstUsableLba() + ".."
                        + h.lastUsableLba());
            }
            for (int j = 0; j < i; j++) {
                PartitionEntry q = entries.get(j);
                if (p.startingLba() <= q.endingLba() && q.startingLba() <= p.endingLba()) {
                    throw new DiskImageException(Reason.GPT_OVERLAP, "GPT partition \"" + p.partitionName()
                            + "\" (LBA " + p.startingLba() + ".." + p.endingLba() + ") overlaps \""
                            + q.partitionName() + "\" (LBA " + q.startingLba() + ".." + q.endingLba()
                            + "), expected disjoint partitions");
                }
            }
        }
    }
}
