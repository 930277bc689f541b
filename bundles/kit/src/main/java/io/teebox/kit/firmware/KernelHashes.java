package io.teebox.kit.firmware;

import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.crypto.Digests;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.UUID;

/**
 * The SEV kernel-hashes table QEMU builds for direct kernel boot (and virtee/sev-snp-measure rebuilds): OVMF
 * compares the kernel, initrd and command line it loads against these SHA-256 hashes, and the table itself is
 * measured into the launch digest.
 *
 * <pre>
 * 0x00 GUID 9438d606-4f22-4cc9-b479-a793d411fd21, u16 length = 168
 * 0x12 GUID cmdline 97d02dd8-..., u16 50, SHA-256(cmdline bytes + NUL)
 * 0x44 GUID initrd  44baf731-..., u16 50, SHA-256(initrd, or of nothing)
 * 0x76 GUID kernel  4de79437-..., u16 50, SHA-256(kernel)
 * 0xA8 zero padding to 176 bytes (a multiple of 16)
 * </pre>
 */
public final class KernelHashes {

    /** The table header GUID. */
    public static final UUID TABLE_GUID = UUID.fromString("9438d606-4f22-4cc9-b479-a793d411fd21");
    /** The command-line entry GUID. */
    public static final UUID CMDLINE_GUID = UUID.fromString("97d02dd8-bd20-4c94-aa78-e7714d36ab2a");
    /** The initrd entry GUID. */
    public static final UUID INITRD_GUID = UUID.fromString("44baf731-3a2f-4bd7-9af1-41e29169781d");
    /** The kernel entry GUID. */
    public static final UUID KERNEL_GUID = UUID.fromString("4de79437-abd2-427f-b835-d5b172d2045b");
    /** The table's length field: header plus three entries. */
    public static final int TABLE_LENGTH = 18 + 3 * (18 + 32);
    /** The table's size in memory: {@link #TABLE_LENGTH} rounded up to 16. */
    public static final int TABLE_SIZE = (TABLE_LENGTH + 15) & ~15;

    private KernelHashes() {
    }

    /**
     * Builds the table for a direct kernel boot.
     *
     * @param kernel the kernel image
     * @param initrd the initrd, or null for none (hashed as empty)
     * @param cmdline the command line, or null for none; hashed as its UTF-8 bytes plus a NUL (just a NUL for
     *        null or empty)
     * @return the {@value #TABLE_SIZE}-byte table
     */
    public static byte[] table(byte[] kernel, byte[] initrd, String cmdline) {
        Objects.requireNonNull(kernel, "kernel");
        byte[] cmd = cmdline == null ? new byte[0] : cmdline.getBytes(StandardCharsets.UTF_8);
        return fromDigests(Digests.sha256(cmd, new byte[] {0}),
                Digests.sha256(initrd == null ? new byte[0] : initrd), Digests.sha256(kernel));
    }

    /**
     * Builds the table from already computed hashes (a verifier's reference values, for example).
     *
     * @param cmdlineSha256 SHA-256 of the command line bytes plus NUL
     * @param initrdSha256 SHA-256 of the initrd
     * @param kernelSha256 SHA-256 of the kernel
     * @return the {@value #TABLE_SIZE}-byte table
     * @throws IllegalArgumentException if a hash is not 32 bytes
     */
    public static byte[] fromDigests(byte[] cmdlineSha256, byte[] initrdSha256, byte[] kernelSha256) {
        byte[] t = new byte[TABLE_SIZE];
        EfiGuid.write(TABLE_GUID, t, 0);
        LittleEndian.put16(t, 16, TABLE_LENGTH);
        int at = 18;
        for (Object[] e : new Object[][] {{CMDLINE_GUID, cmdlineSha256, "cmdline"},
            {INITRD_GUID, initrdSha256, "initrd"}, {KERNEL_GUID, kernelSha256, "kernel"}}) {
            byte[] hash = (byte[]) e[1];
            Objects.requireNonNull(hash, (String) e[2]);
            if (hash.length != 32) {
                throw new IllegalArgumentException(e[2] + " hash is " + hash.length + " bytes, expected 32");
            }
            EfiGuid.write((UUID) e[0], t, at);
            LittleEndian.put16(t, at + 16, 50);
            System.arraycopy(hash, 0, t, at + 18, 32);
            at += 50;
        }
        return t;
    }

    /**
     * Reads one hash back out of a table, checking the header and entry framing.
     *
     * @param table a table as {@link #table} builds it (at least {@value #TABLE_LENGTH} bytes)
     * @param entry {@link #CMDLINE_GUID}, {@link #INITRD_GUID} or {@link #KERNEL_GUID}
     * @return the 32-byte hash
     * @throws MalformedFirmwareException if the table's header, length or entries are not as expected
     * @throws IllegalArgumentException if the entry is not in the table
     */
    public static byte[] hash(byte[] table, UUID entry) {
        Objects.requireNonNull(table, "table");
        if (table.length < TABLE_LENGTH) {
            throw new MalformedFirmwareException("kernel hashes table length", "kernel hashes table is "
                    + table.length + " bytes, expected at least " + TABLE_LENGTH);
        }
        UUID head = EfiGuid.read(table, 0);
        if (!head.equals(TABLE_GUID)) {
            throw new MalformedFirmwareException("kernel hashes table GUID", "kernel hashes table GUID is " + head
                    + ", expected " + TABLE_GUID);
        }
        int length = LittleEndian.u16(table, 16);
        if (length < 18 || length > table.length) {
            throw new MalformedFirmwareException("kernel hashes table length", "kernel hashes table length is "
                    + length + ", expected 18.." + table.length);
        }
        for (int at = 18; at + 18 <= length;) {
            UUID g = EfiGuid.read(table, at);
            int len = LittleEndian.u16(table, at + 16);
            if (len < 18 || at + len > length) {
                throw new MalformedFirmwareException("kernel hashes entry " + g + " length", "kernel hashes entry "
                        + g + " has length " + len + ", expected 18.." + (length - at));
            }
            if (g.equals(entry)) {
                if (len != 50) {
                    throw new MalformedFirmwareException("kernel hashes entry " + g + " length",
                            "kernel hashes entry " + g + " has length " + len + ", expected 50");
                }
                return Arrays.copyOfRange(table, at + 18, at + 50);
            }
            at += len;
        }
        throw new IllegalArgumentException("kernel hashes table has no entry " + entry);
    }

    /**
     * Places a table in an otherwise zero 4 KiB page at the area's offset within its page, as SNP launches measure
     * it (the page is then added at {@code areaGpa & ~0xFFF}).
     *
     * @param table the table
     * @param areaGpa the kernel-hashes area's guest physical address
     * @return the 4096-byte page
     * @throws IllegalArgumentException if the table does not fit in the page at that offset
     */
    public static byte[] page(byte[] table, long areaGpa) {
        Objects.requireNonNull(table, "table");
        int offset = (int) (areaGpa & 0xFFF);
        if (offset + table.length > 4096) {
            throw new IllegalArgumentException(String.format(
                    "kernel hashes table of %d bytes at page offset 0x%X runs past the 4096-byte page",
                    table.length, offset));
        }
        byte[] page = new byte[4096];
        System.arraycopy(table, 0, page, offset, table.length);
        return page;
    }
}
