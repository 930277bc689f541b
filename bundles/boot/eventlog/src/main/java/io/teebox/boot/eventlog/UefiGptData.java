package io.teebox.boot.eventlog;

import io.teebox.boot.eventlog.internal.Reader;
import io.teebox.boot.eventlog.internal.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * UEFI_GPT_DATA (PFP section 10.2.8), the event data of EV_EFI_GPT_EVENT (PCR 5): the disk's GPT header (the 92-byte
 * EFI_PARTITION_TABLE_HEADER of UEFI 2.10 section 5.3.2), NumberOfPartitions, and the non-empty partition entries,
 * SizeOfPartitionEntry bytes each. The record's digest is of this structure.
 *
 * @param uefiPartitionHeader the header
 * @param partitions the entries in use
 */
public record UefiGptData(Header uefiPartitionHeader, List<PartitionEntry> partitions) {

    /** The struct name in messages. */
    public static final String STRUCT = "UEFI_GPT_DATA";
    /** The header's Signature, "EFI PART" read as a little-endian UINT64. */
    public static final long EFI_PTAB_HEADER_ID = 0x5452415020494645L;
    /** The size of the header as logged. */
    public static final int HEADER_SIZE = 92;
    /** The size of an entry's defined fields. */
    public static final int ENTRY_FIELDS_SIZE = 128;
    /** The bytes of PartitionName: 36 CHAR16. */
    public static final int PARTITION_NAME_SIZE = 72;

    /**
     * EFI_PARTITION_TABLE_HEADER. Signature is always "EFI PART" and Reserved zero.
     *
     * @param revision 0x00010000 for GPT 1.0
     * @param headerSize 92 on today's disks
     * @param headerCrc32 HeaderCRC32
     * @param myLba MyLBA
     * @param alternateLba AlternateLBA
     * @param firstUsableLba FirstUsableLBA
     * @param lastUsableLba LastUsableLBA
     * @param diskGuid DiskGUID
     * @param partitionEntryLba PartitionEntryLBA
     * @param numberOfPartitionEntries NumberOfPartitionEntries, of the whole array on disk
     * @param sizeOfPartitionEntry SizeOfPartitionEntry, 128 times a power of two
     * @param partitionEntryArrayCrc32 PartitionEntryArrayCRC32
     */
    public record Header(long revision, long headerSize, long headerCrc32, long myLba, long alternateLba,
            long firstUsableLba, long lastUsableLba, UUID diskGuid, long partitionEntryLba,
            long numberOfPartitionEntries, long sizeOfPartitionEntry, long partitionEntryArrayCrc32) {
    }

    /**
     * EFI_PARTITION_ENTRY; bytes beyond its 128 defined ones are reserved and zero.
     *
     * @param partitionTypeGuid PartitionTypeGUID
     * @param uniquePartitionGuid UniquePartitionGUID
     * @param startingLba StartingLBA
     * @param endingLba EndingLBA
     * @param attributes Attributes
     * @param partitionName PartitionName, at most 36 UTF-16 units, stored NUL-padded
     */
    public record PartitionEntry(UUID partitionTypeGuid, UUID uniquePartitionGuid, long startingLba, long endingLba,
            long attributes, String partitionName) {
        /**
         * Checks the name fits.
         *
         * @throws IllegalArgumentException if it is longer than 72 bytes in UTF-16LE
         */
        public PartitionEntry {
            if (partitionName.getBytes(StandardCharsets.UTF_16LE).length > PARTITION_NAME_SIZE) {
                throw new IllegalArgumentException("EFI_PARTITION_ENTRY.PartitionName \"" + partitionName
                        + "\" is longer than 36 CHAR16");
            }
        }
    }

    /**
     * Checks and copies.
     *
     * @throws IllegalArgumentException if SizeOfPartitionEntry is below 128
     */
    public UefiGptData {
        partitions = List.copyOf(partitions);
        if (uefiPartitionHeader.sizeOfPartitionEntry() < ENTRY_FIELDS_SIZE) {
            throw new IllegalArgumentException(STRUCT + " SizeOfPartitionEntry is "
                    + uefiPartitionHeader.sizeOfPartitionEntry() + ", expected at least 128");
        }
    }

    /**
     * Parses the structure; it must fill {@code data} exactly.
     *
     * @param data the event data
     * @return the structure
     * @throws EventLogException if the signature is not "EFI PART", Reserved or an entry's reserved bytes or name
     *         padding are not zero, SizeOfPartitionEntry is below 128, or NumberOfPartitions does not match the bytes
     */
    public static UefiGptData parse(byte[] data) {
        Reader r = new Reader(STRUCT, data);
        long signature = r.u64("UEFIPartitionHeader.Signature");
        if (signature != EFI_PTAB_HEADER_ID) {
            throw new EventLogException(STRUCT, "UEFIPartitionHeader.Signature", String.format(
                    "%s.UEFIPartitionHeader.Signature is 0x%016x, expected 0x%016x (\"EFI PART\")", STRUCT,
                    signature, EFI_PTAB_HEADER_ID));
        }
        long revision = r.u32("UEFIPartitionHeader.Revision");
        long headerSize = r.u32("UEFIPartitionHeader.HeaderSize");
        long headerCrc = r.u32("UEFIPartitionHeader.HeaderCRC32");
        long reserved = r.u32("UEFIPartitionHeader.Reserved");
        if (reserved != 0) {
            throw new EventLogException(STRUCT, "UEFIPartitionHeader.Reserved", String.format(
                    "%s.UEFIPartitionHeader.Reserved is 0x%08x, expected 0", STRUCT, reserved));
        }
        Header h = new Header(revision, headerSize, headerCrc, r.u64("UEFIPartitionHeader.MyLBA"),
                r.u64("UEFIPartitionHeader.AlternateLBA"), r.u64("UEFIPartitionHeader.FirstUsableLBA"),
                r.u64("UEFIPartitionHeader.LastUsableLBA"), r.guid("UEFIPartitionHeader.DiskGUID"),
                r.u64("UEFIPartitionHeader.PartitionEntryLBA"),
                r.u32("UEFIPartitionHeader.NumberOfPartitionEntries"),
                r.u32("UEFIPartitionHeader.SizeOfPartitionEntry"),
                r.u32("UEFIPartitionHeader.PartitionEntryArrayCRC32"));
        long entrySize = h.sizeOfPartitionEntry();
        if (entrySize < ENTRY_FIELDS_SIZE) {
            throw new EventLogException(STRUCT, "UEFIPartitionHeader.SizeOfPartitionEntry", STRUCT
                    + ".UEFIPartitionHeader.SizeOfPartitionEntry is " + entrySize + ", expected at least 128");
        }
        long n = r.u64("NumberOfPartitions");
        if (n < 0 || r.remaining() % entrySize != 0 || n != r.remaining() / entrySize) {
            throw new EventLogException(STRUCT, "NumberOfPartitions", STRUCT + ".NumberOfPartitions is "
                    + Long.toUnsignedString(n) + ", expected " + r.remaining() / entrySize + " (" + entrySize
                    + "-byte entries in the " + r.remaining() + " bytes left)");
        }
        List<PartitionEntry> entries = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String f = "Partitions[" + i + "].";
            UUID type = r.guid(f + "PartitionTypeGUID");
            UUID unique = r.guid(f + "UniquePartitionGUID");
            long start = r.u64(f + "StartingLBA");
            long end = r.u64(f + "EndingLBA");
            long attributes = r.u64(f + "Attributes");
            String name = partitionName(r.bytes(f + "PartitionName", PARTITION_NAME_SIZE), f + "PartitionName");
            byte[] rest = r.bytes(f + "Reserved", entrySize - ENTRY_FIELDS_SIZE);
            for (byte b : rest) {
                if (b != 0) {
                    throw new EventLogException(STRUCT, f + "Reserved", STRUCT + "." + f
                            + "Reserved (bytes 128.." + (entrySize - 1) + ") is not zero, expected zero");
                }
            }
            entries.add(new PartitionEntry(type, unique, start, end, attributes, name));
        }
        return new UefiGptData(h, entries);
    }

    private static String partitionName(byte[] raw, String field) {
        int len = 0;
        while (len < raw.length && (raw[len] != 0 || raw[len + 1] != 0)) {
            len += 2;
        }
        for (int i = len; i < raw.length; i++) {
            if (raw[i] != 0) {
                throw new EventLogException(STRUCT, field, STRUCT + "." + field
                        + " has non-zero bytes after its NUL at byte " + i + ", expected zero padding");
            }
        }
        try {
            return StandardCharsets.UTF_16LE.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw, 0, len)).toString();
        } catch (CharacterCodingException e) {
            throw new EventLogException(STRUCT, field, STRUCT + "." + field + " is not valid UTF-16LE");
        }
    }

    /**
     * Writes the structure.
     *
     * @return its bytes
     */
    public byte[] write() {
        Header h = uefiPartitionHeader;
        Writer w = new Writer().u64(EFI_PTAB_HEADER_ID).u32(h.revision()).u32(h.headerSize()).u32(h.headerCrc32())
                .u32(0).u64(h.myLba()).u64(h.alternateLba()).u64(h.firstUsableLba()).u64(h.lastUsableLba())
                .guid(h.diskGuid()).u64(h.partitionEntryLba()).u32(h.numberOfPartitionEntries())
                .u32(h.sizeOfPartitionEntry()).u32(h.partitionEntryArrayCrc32()).u64(partitions.size());
        for (PartitionEntry p : partitions) {
            byte[] name = new byte[PARTITION_NAME_SIZE];
            byte[] encoded = p.partitionName().getBytes(StandardCharsets.UTF_16LE);
            System.arraycopy(encoded, 0, name, 0, encoded.length);
            w.guid(p.partitionTypeGuid()).guid(p.uniquePartitionGuid()).u64(p.startingLba()).u64(p.endingLba())
                    .u64(p.attributes()).bytes(name).bytes(new byte[(int) (h.sizeOfPartitionEntry() - ENTRY_FIELDS_SIZE)]);
        }
        return w.toByteArray();
    }
}
