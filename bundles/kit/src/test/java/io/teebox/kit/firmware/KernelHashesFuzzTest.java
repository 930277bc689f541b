package io.teebox.kit.firmware;

import static io.teebox.kit.testing.Fuzzing.assertSame;
import static io.teebox.kit.testing.Fuzzing.check;
import static io.teebox.kit.testing.Fuzzing.refusesTyped;
import static io.teebox.kit.testing.Fuzzing.typed;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.UUID;

/**
 * The SEV kernel-hashes table as a verifier reads it back: {@link KernelHashes#hash} refuses a malformed table
 * with a {@link MalformedFirmwareException} and a missing entry with an {@code IllegalArgumentException} (its
 * Javadoc); hashes read out build a table ({@link KernelHashes#fromDigests}) that reads back the same, and
 * {@link KernelHashes#page} places a table or refuses it with the {@code IllegalArgumentException} it documents.
 */
class KernelHashesFuzzTest {

    private static final UUID[] ENTRIES = {KernelHashes.CMDLINE_GUID, KernelHashes.INITRD_GUID,
        KernelHashes.KERNEL_GUID};

    @FuzzTest
    void tablesReadOrNameTheField(byte[] data) {
        byte[][] hashes = new byte[3][];
        for (int i = 0; i < 3; i++) {
            UUID entry = ENTRIES[i];
            try {
                hashes[i] = KernelHashes.hash(data, entry);
                check("hashes are 32 bytes", hashes[i].length == 32);
            } catch (MalformedFirmwareException e) {
                io.teebox.kit.testing.Fuzzing.checkMessage(e);
            } catch (IllegalArgumentException e) {
                check("a plain IllegalArgumentException only for a missing entry: " + e.getMessage(),
                        e.getMessage().contains("has no entry " + entry));
            }
        }
        long gpa = data.length < 2 ? 0 : (data[0] & 0xFFL) << 4 | (data[1] & 0xFFL) << 12;
        refusesTyped(() -> KernelHashes.page(data, gpa), IllegalArgumentException.class);
        if (hashes[0] != null && hashes[1] != null && hashes[2] != null) {
            byte[] table = KernelHashes.fromDigests(hashes[0], hashes[1], hashes[2]);
            for (int i = 0; i < 3; i++) {
                assertSame("hash(fromDigests(hash(x)))", hashes[i], KernelHashes.hash(table, ENTRIES[i]));
            }
            byte[] page = typed(() -> KernelHashes.page(table, gpa), IllegalArgumentException.class);
            if (page != null) {
                assertSame("page holds the table", table, java.util.Arrays.copyOfRange(page, (int) (gpa & 0xFFF),
                        (int) (gpa & 0xFFF) + table.length));
            }
        }
    }
}
