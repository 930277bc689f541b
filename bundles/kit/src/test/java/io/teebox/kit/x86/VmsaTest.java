package io.teebox.kit.x86;

import static io.teebox.kit.hex.Hex.encode;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.firmware.KernelHashes;
import io.teebox.kit.firmware.OvmfImage;
import io.teebox.kit.testing.FirmwareVectors;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import org.junit.Test;

public class VmsaTest {

    /** SEV-ES launch digest as sev-snp-measure's seves mode computes it. */
    private static String sevesDigest(FirmwareVectors.Case c) {
        OvmfImage ovmf = OvmfImage.parse(FirmwareVectors.ovmf());
        int vcpus = Integer.parseInt(c.option("--vcpus"));
        long sig = CpuModels.signature(c.option("--vcpu-type"));
        MessageDigest md = Digests.newSha256();
        md.update(ovmf.bytes());
        if (c.option("--kernel") != null) {
            byte[] initrd = c.option("--initrd") == null ? null : FirmwareVectors.read(c.option("--initrd"));
            md.update(KernelHashes.table(FirmwareVectors.read(c.option("--kernel")), initrd, c.option("--append")));
        }
        long apEip = ovmf.sevEsResetEip().getAsLong();
        for (int i = 0; i < vcpus; i++) {
            md.update(Vmsa.qemuReset(i == 0 ? Vmsa.BSP_EIP : apEip, sig, 0));
        }
        return encode(md.digest());
    }

    @Test
    public void sevEsLaunchDigestsMatchSevSnpMeasure() {
        int checked = 0;
        for (FirmwareVectors.Case c : FirmwareVectors.cases()) {
            if (c.name().startsWith("seves-")) {
                assertEquals(c.name(), c.expected(), sevesDigest(c));
                checked++;
            }
        }
        assertEquals(2, checked);
    }

    @Test
    public void pinnedSevEsCases() {
        assertEquals("f79a167fc114c6425c91327c95f3e34a40be6a35f50ea338cad02f374af12307",
                sevesDigest(FirmwareVectors.named("seves-2vcpu-milan")));
        assertEquals("c8d74ce2fe13536e134ddfbf271d67950d05568635a9ff7c2bb1c849d4f013b7",
                sevesDigest(FirmwareVectors.named("seves-1vcpu-epyc-v4-kernel")));
    }

    @Test
    public void layoutOffsetsMatchTheSpec() {
        Object[][] expected = {
            {"es.selector", 0x000}, {"cs.attrib", 0x012}, {"cs.base", 0x018}, {"tr.base", 0x098},
            {"vmpl", 0x0CA}, {"cpl", 0x0CB}, {"efer", 0x0D0}, {"cr4", 0x148}, {"cr3", 0x150}, {"cr0", 0x158},
            {"dr7", 0x160}, {"dr6", 0x168}, {"rflags", 0x170}, {"rip", 0x178}, {"rsp", 0x1D8}, {"rax", 0x1F8},
            {"g_pat", 0x268}, {"rdx", 0x310}, {"r15", 0x378}, {"sev_features", 0x3B0}, {"xcr0", 0x3E8},
            {"mxcsr", 0x408}, {"x87_fcw", 0x410}, {"fpreg_ymm", 0x570}};
        for (Object[] e : expected) {
            assertEquals((String) e[0], (int) (Integer) e[1], Vmsa.LAYOUT.offset((String) e[0]));
        }
        assertEquals(4096, Vmsa.LAYOUT.size());
        assertEquals("VMSA", Vmsa.LAYOUT.name());
    }

    @Test
    public void registersDecodeTheResetState() {
        byte[] ap = Vmsa.qemuReset(0xFFFFE004L, 0xA10F10, 1);
        Map<String, Long> r = Vmsa.registers(ap);
        assertEquals(0xE004L, (long) r.get("rip"));
        assertEquals(0xFFFF0000L, (long) r.get("cs.base"));
        assertEquals(0xF000L, (long) r.get("cs.selector"));
        assertEquals(0xA10F10L, (long) r.get("rdx"));
        assertEquals(1L, (long) r.get("sev_features"));
        assertEquals(0x1000L, (long) r.get("efer"));
        assertEquals(0x1F80L, (long) r.get("mxcsr"));
        assertEquals(0x37FL, (long) r.get("x87_fcw"));
        assertEquals(List.of("rip", "rsp", "rax"), List.copyOf(r.keySet()).subList(0, 3));
        assertEquals(0xFFF0L, (long) Vmsa.registers(Vmsa.qemuReset(Vmsa.BSP_EIP, 0, 0)).get("rip"));
        assertThrows(MalformedStructureException.class, () -> Vmsa.registers(new byte[4095]));
        assertThrows(IllegalArgumentException.class, () -> Vmsa.qemuReset(0x1_0000_0000L, 0, 0));
    }

    @Test
    public void cpuModelSignatures() {
        assertEquals(0x800F12L, CpuModels.signature("EPYC-v4"));
        assertEquals(0x800F12L, CpuModels.signature("epyc"));
        assertEquals(0x830F10L, CpuModels.signature("EPYC-Rome"));
        assertEquals(0xA00F11L, CpuModels.signature("EPYC-Milan"));
        assertEquals(0xA10F10L, CpuModels.signature("epyc-genoa"));
        assertEquals(0xB00F00L, CpuModels.signature("EPYC-Turin"));
        assertTrue(CpuModels.known().containsAll(List.of("EPYC", "EPYC-v1", "EPYC-v2", "EPYC-v3", "EPYC-v4",
                "EPYC-Rome", "EPYC-Milan", "EPYC-Genoa", "EPYC-Turin")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CpuModels.signature("Skylake-Server"));
        assertTrue(e.getMessage(), e.getMessage().contains("Skylake-Server") && e.getMessage().contains("EPYC-Milan"));
    }

    /** Every supported vCPU type's reset VMSA round-trips through the named-offset layout. */
    @Test
    public void everyCpuModelsVmsaRoundTripsThroughTheLayout() {
        for (String type : CpuModels.known()) {
            long sig = CpuModels.signature(type);
            for (long eip : new long[] {Vmsa.BSP_EIP, 0xFFFFE004L}) {
                byte[] page = Vmsa.qemuReset(eip, sig, 0);
                assertEquals(type, encode(page), encode(Vmsa.LAYOUT.parse(page).toBytes()));
                assertEquals(type, sig, (long) Vmsa.registers(page).get("rdx"));
                assertEquals(eip & 0xFFFF, (long) Vmsa.registers(page).get("rip"));
            }
        }
    }

    /**
     * Pins the bytes of a BSP (EPYC-v4) and an AP (EPYC-Milan, AP reset EIP 0xFFFFE004) VMSA by their SHA-256,
     * self-computed with an independent Python model of sev-snp-measure's vmsa.py that reproduces the seves-* and
     * snp-* vectors.
     */
    @Test
    public void pinnedBspAndApVmsaBytes() {
        assertEquals("8295cef559b57130391d59605890ef93297720b48bef9a8c3c985b9c3fb0788c",
                encode(Digests.sha256(Vmsa.qemuReset(Vmsa.BSP_EIP, 0x800F12, 0))));
        assertEquals("0a46a49357ba7d9b59137cc8cc244c47ef7db9261ceb11ea0f78abf1c59157ad",
                encode(Digests.sha256(Vmsa.qemuReset(0xFFFFE004L, 0xA00F11, 0))));
    }
}
