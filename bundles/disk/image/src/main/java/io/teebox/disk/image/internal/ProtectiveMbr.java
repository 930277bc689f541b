package io.teebox.disk.image.internal;

import io.teebox.disk.image.DiskImageException;
import io.teebox.disk.image.DiskImageException.Reason;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The protective MBR of UEFI 2.10 section 5.2.3 in LBA 0: BootCode (440 bytes, unused by UEFI), UniqueMBRDiskSignature
 * and Unknown zero, PartitionRecord[0] covering the disk from LBA 1 with OSType 0xEE, records 1 to 3 zero, Signature
 * 0xAA55.
 */
public final class ProtectiveMbr {

    /** Offset of UniqueMBRDiskSignature. */
    public static final int UNIQUE_MBR_DISK_SIGNATURE = 440;
    /** Offset of PartitionRecord[0]. */
    public static final int PARTITION_RECORD = 446;
    /** The size of one PartitionRecord. */
    public static final int PARTITION_RECORD_SIZE = 16;
    /** Offset of Signature. */
    public static final int SIGNATURE = 510;
    /** The OSType of the GPT protective partition. */
    public static final int OS_TYPE_GPT_PROTECTIVE = 0xEE;
    /** The MBR Signature as a little-endian UINT16. */
    public static final int MBR_SIGNATURE = 0xAA55;

    private ProtectiveMbr() {
    }

    /**
     * Writes LBA 0 of a disk.
     *
     * @param diskSectors the disk's size in sectors
     * @return the 512 bytes
     */
    public static byte[] write(long diskSectors) {
        ByteBuffer b = ByteBuffer.allocate(Disk.SECTOR).order(ByteOrder.LITTLE_ENDIAN);
        int r = PARTITION_RECORD;
        b.put(r, (byte) 0); // BootIndicator
        // StartingCHS 0x000200 (head 0, sector 2, cylinder 0), as the spec sets it
        b.put(r + 1, (byte) 0x00).put(r + 2, (byte) 0x02).put(r + 3, (byte) 0x00);
        b.put(r + 4, (byte) OS_TYPE_GPT_PROTECTIVE);
        // EndingCHS 0xFFFFFF: CHS cannot say where a GPT disk ends in general; util-linux's sfdisk writes the same
        b.put(r + 5, (byte) 0xFF).put(r + 6, (byte) 0xFF).put(r + 7, (byte) 0xFF);
        b.putInt(r + 8, 1); // StartingLBA
        b.putInt(r + 12, (int) Math.min(diskSectors - 1, 0xFFFFFFFFL)); // SizeInLBA
        b.putShort(SIGNATURE, (short) MBR_SIGNATURE);
        return b.array();
    }

    /**
     * Checks LBA 0 is a protective MBR.
     *
     * @param lba0 the sector
     * @param diskSectors the disk's size in sectors
     * @throws DiskImageException PROTECTIVE_MBR if the signature, the 0xEE record, its StartingLBA or SizeInLBA, or the
     *         other records are wrong
     */
    public static void parse(byte[] lba0, long diskSectors) {
        ByteBuffer b = ByteBuffer.wrap(lba0).order(ByteOrder.LITTLE_ENDIAN);
        int sig = Short.toUnsignedInt(b.getShort(SIGNATURE));
        if (sig != MBR_SIGNATURE) {
            throw new DiskImageException(Reason.PROTECTIVE_MBR, String.format(
                    "protective MBR Signature is 0x%04x, expected 0x%04x", sig, MBR_SIGNATURE));
        }
        int osType = Byte.toUnsignedInt(b.get(PARTITION_RECORD + 4));
        if (osType != OS_TYPE_GPT_PROTECTIVE) {
            throw new DiskImageException(Reason.PROTECTIVE_MBR, String.format(
                    "protective MBR PartitionRecord[0].OSType is 0x%02x, expected 0xee", osType));
        }
        long start = Integer.toUnsignedLong(b.getInt(PARTITION_RECORD + 8));
        if (start != 1) {
            throw new DiskImageException(Reason.PROTECTIVE_MBR, "protective MBR PartitionRecord[0].StartingLBA is "
                    + start + ", expected 1");
        }
        long size = Integer.toUnsignedLong(b.getInt(PARTITION_RECORD + 12));
        long expected = Math.min(diskSectors - 1, 0xFFFFFFFFL);
        if (size != expected) {
            throw new DiskImageException(Reason.PROTECTIVE_MBR, "protective MBR PartitionRecord[0].SizeInLBA is "
                    + size + ", expected " + expected + " (the disk's sectors after LBA 0)");
        }
        for (int i = PARTITION_RECORD + PARTITION_RECORD_SIZE; i < SIGNATURE; i++) {
            if (lba0[i] != 0) {
                throw new DiskImageException(Reason.PROTECTIVE_MBR, "protective MBR PartitionRecord["
                        + (i - PARTITION_RECORD) / PARTITION_RECORD_SIZE + "] is not zero, expected zero");
            }
        }
    }
}
