package io.teebox.kit.firmware;

import static io.teebox.kit.hex.Hex.encode;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.testing.FirmwareVectors;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.Test;

public class KernelHashesTest {

    private static final byte[] KERNEL = FirmwareVectors.read("synthetic-kernel.bin");
    private static final byte[] INITRD = FirmwareVectors.read("synthetic-initrd.bin");

    @Test
    public void tableLayoutIsQemus() {
        byte[] t = KernelHashes.table(KERNEL, INITRD, "console=ttyS0");
        assertEquals(176, t.length);
        assertEquals("06d63894224fc94cb479a793d411fd21", encode(Arrays.copyOfRange(t, 0, 16)));
        assertEquals(168, LittleEndian.u16(t, 16));
        assertEquals(KernelHashes.CMDLINE_GUID, EfiGuid.read(t, 18));
        assertEquals(50, LittleEndian.u16(t, 34));
        assertArrayEquals(Digests.sha256("console=ttyS0\0".getBytes(StandardCharsets.US_ASCII)),
                Arrays.copyOfRange(t, 36, 68));
        assertEquals(KernelHashes.INITRD_GUID, EfiGuid.read(t, 68));
        assertEquals(KernelHashes.KERNEL_GUID, EfiGuid.read(t, 118));
        assertArrayEquals(new byte[8], Arrays.copyOfRange(t, 168, 176));
        assertArrayEquals(Digests.sha256(KERNEL), KernelHashes.hash(t, KernelHashes.KERNEL_GUID));
        assertArrayEquals(Digests.sha256(INITRD), KernelHashes.hash(t, KernelHashes.INITRD_GUID));
    }

    @Test
    public void sevLaunchDigestWithKernelMatchesSevSnpMeasure() {
        FirmwareVectors.Case c = FirmwareVectors.named("sev-kernel");
        assertEquals("synthetic-kernel.bin", c.option("--kernel"));
        byte[] table = KernelHashes.table(FirmwareVectors.read(c.option("--kernel")),
                FirmwareVectors.read(c.option("--initrd")), c.option("--append"));
        assertEquals(c.expected(), encode(Digests.sha256(FirmwareVectors.ovmf(), table)));
        assertEquals("72b14f6e65ad802eda534077448f5caf72dc71cda775c6d34765d1492def4157", c.expected());
    }

    @Test
    public void missingCmdlineAndInitrdHashAsNulAndEmpty() {
        byte[] t = KernelHashes.table(KERNEL, null, null);
        assertArrayEquals(t, KernelHashes.table(KERNEL, new byte[0], ""));
        assertArrayEquals(Digests.sha256(new byte[1]), KernelHashes.hash(t, KernelHashes.CMDLINE_GUID));
        assertArrayEquals(Digests.sha256(), KernelHashes.hash(t, KernelHashes.INITRD_GUID));
    }

    @Test
    public void pagePlacesTheTableAtTheAreaOffset() {
        byte[] t = KernelHashes.table(KERNEL, INITRD, "quiet");
        byte[] page = KernelHashes.page(t, 0x807C00);
        assertEquals(4096, page.length);
        assertArrayEquals(t, Arrays.copyOfRange(page, 0xC00, 0xC00 + t.length));
        assertArrayEquals(new byte[0xC00], Arrays.copyOfRange(page, 0, 0xC00));
        assertArrayEquals(new byte[4096 - 0xC00 - 176], Arrays.copyOfRange(page, 0xC00 + 176, 4096));
        assertThrows(IllegalArgumentException.class, () -> KernelHashes.page(t, 0x807FA0));
    }

    @Test
    public void damagedTableIsRejected() {
        byte[] t = KernelHashes.table(KERNEL, INITRD, "quiet");
        t[0] ^= 1;
        assertEquals("kernel hashes table GUID",
                assertThrows(MalformedFirmwareException.class, () -> KernelHashes.hash(t, KernelHashes.KERNEL_GUID))
                        .field());
        assertThrows(IllegalArgumentException.class,
                () -> KernelHashes.fromDigests(new byte[31], new byte[32], new byte[32]));
    }
}
