package io.teebox.amd.owner;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.Test;

import io.teebox.api.owner.GuestOwnerService;
import io.teebox.api.owner.OwnerPolicy;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.firmware.OvmfImage;
import io.teebox.kit.hex.Hex;
import io.teebox.amd.owner.sev.internal.SevEsGuestOwner;
import io.teebox.amd.owner.sev.internal.SevGuestOwner;
import io.teebox.amd.owner.snp.internal.SnpGuestOwner;

/**
 * Interop with real firmware: Debian's {@code ovmf} package (2022.11), whose split {@code OVMF_CODE.fd} carries TDX
 * metadata describing the unified 2 MiB layout. The owners must measure it as independent calculators do
 * (virtee/sev-snp-measure, 2 vCPUs EPYC-v4); the reference values are the ones the fidelity issue gives. Fails,
 * never skips, when the package is missing ({@code .ci/run} installs it).
 */
public class RealOvmfLaunchDigestTest {

    static final Path OVMF_CODE = Path.of("/usr/share/OVMF/OVMF_CODE.fd");
    static final Path OVMF_CODE_SECBOOT = Path.of("/usr/share/OVMF/OVMF_CODE.secboot.fd");
    static final String SNP_2_EPYC_V4 = "0d3d4c4fbdd21581bb6f16903c06d29c40d021902ffffab0d6d6b71f76229401f432b6d29e9"
            + "de6d982851c6f9ebe1cbf";
    static final String SEV_ES_2_EPYC_V4 = "02a0c4a5a76ee32cd799d5a26ffb2f2aff33fb3cc5d494e59b96b7e182add13f";

    static byte[] read(Path p) throws IOException {
        if (!Files.isRegularFile(p)) {
            throw new AssertionError(p + " is missing: install Debian's ovmf package (apt-get install ovmf; .ci/run "
                    + "does)");
        }
        return Files.readAllBytes(p);
    }

    private static OwnerPolicy expect(byte[] firmware, byte[] kernel) {
        return new OwnerPolicy(0x30000, firmware, kernel, kernel == null ? null : new byte[] {1, 2, 3},
                kernel == null ? null : "console=ttyS0", null, null, -1);
    }

    private static String digest(GuestOwnerService owner, byte[] firmware) {
        return Hex.encode(owner.expectedDigest(expect(firmware, null), 2, "EPYC-v4"));
    }

    @Test
    public void debianOvmfCodeMeasuresToTheIndependentCalculatorsValues() throws IOException {
        byte[] fw = read(OVMF_CODE);
        assertEquals("SEV-SNP", SNP_2_EPYC_V4, digest(new SnpGuestOwner(), fw));
        assertEquals("SEV-ES", SEV_ES_2_EPYC_V4, digest(new SevEsGuestOwner(), fw));
        assertEquals("SEV: the SHA-256 of the file", Hex.encode(Digests.sha256(fw)), digest(new SevGuestOwner(), fw));
    }

    @Test
    public void theSecureBootBuildMeasuresForEverySevTypeToo() throws IOException {
        byte[] fw = read(OVMF_CODE_SECBOOT);
        assertEquals(Hex.encode(Digests.sha256(fw)), digest(new SevGuestOwner(), fw));
        assertEquals(96, digest(new SnpGuestOwner(), fw).length());
        assertEquals(64, digest(new SevEsGuestOwner(), fw).length());
    }

    @Test
    public void itsTdxMetadataIsRefusedOnlyWhenATdNeedsIt() throws IOException {
        OvmfImage image = OvmfImage.parse(read(OVMF_CODE));
        assertTrue(image.hasTdxMetadata());
        RuntimeException e = assertThrows(RuntimeException.class, image::tdxMetadata);
        assertTrue(e.getMessage(), e.getMessage().contains("BFV") && e.getMessage().contains("out of range"));
    }

    @Test
    public void aKernelItCannotMeasureIsRefusedNeverLeftUnmeasured() throws IOException {
        byte[] fw = read(OVMF_CODE);
        byte[] kernel = "a kernel".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        IllegalArgumentException snp = assertThrows(IllegalArgumentException.class,
                () -> new SnpGuestOwner().expectedDigest(expect(fw, kernel), 2, "EPYC-v4"));
        assertTrue(snp.getMessage(), snp.getMessage().contains("SNP_KERNEL_HASHES"));
        for (GuestOwnerService sev : new GuestOwnerService[] {new SevGuestOwner(), new SevEsGuestOwner()}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> sev.expectedDigest(expect(fw, kernel), 2, "EPYC-v4"));
            assertTrue(e.getMessage(), e.getMessage().contains("kernel-hashes area")
                    && e.getMessage().contains("at 0x0 with 0x0 bytes"));
        }
    }
}
