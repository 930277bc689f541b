package io.teebox.amd.sp.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.Map;

import org.junit.Test;

import io.teebox.amd.abi.SevCertificate;
import io.teebox.amd.sp.AsidPool;
import io.teebox.amd.sp.GuestContext;
import io.teebox.api.tee.TeeException;

public class AmdSecureProcessorImplTest {

    @Test
    public void asidPoolsFollowCpuidLimitsAndExhaustionIsAClearError() {
        AmdSecureProcessorImpl sp = TestConfigs.processor(6, 5);
        assertEquals(5, sp.asidLimits(AsidPool.SEV).first());
        assertEquals(6, sp.asidLimits(AsidPool.SEV).last());
        assertEquals(4, sp.asidLimits(AsidPool.SEV_ES_SNP).last());
        GuestContext a = sp.createSevContext(AsidPool.SEV, 0);
        GuestContext b = sp.createSevContext(AsidPool.SEV, 0);
        assertEquals(5, a.asid());
        assertEquals(6, b.asid());
        TeeException e = assertThrows(TeeException.class, () -> sp.createSevContext(AsidPool.SEV, 0));
        assertEquals("RESOURCE_LIMIT", e.status().name());
        assertTrue(e.getMessage(), e.getMessage().contains("no free SEV ASID: all 2 ASIDs 5..6 are in use"));
        sp.decommission(a.handle());
        assertEquals(5, sp.createSevContext(AsidPool.SEV, 0).asid());
    }

    @Test
    public void memoryKeyWorksOnlyWhileActiveAndDecommissionNeedsDeactivate() {
        AmdSecureProcessorImpl sp = TestConfigs.processor(15, 5);
        GuestContext c = sp.createSevContext(AsidPool.SEV, 0);
        byte[] page = new byte[4096];
        assertEquals("INACTIVE", assertThrows(TeeException.class,
                () -> sp.encryptPage(c.asid(), 0x1000, page)).status().name());
        sp.activate(c.handle());
        byte[] ct = sp.encryptPage(c.asid(), 0x1000, page);
        assertArrayEquals(page, sp.decryptPage(c.asid(), 0x1000, ct));
        assertEquals("ACTIVE", assertThrows(TeeException.class, () -> sp.decommission(c.handle())).status().name());
        sp.deactivate(c.handle());
        sp.decommission(c.handle());
        assertEquals("INVALID_GUEST", assertThrows(TeeException.class, () -> sp.context(c.handle())).status()
                .name());
    }

    @Test
    public void platformCertificateChainVerifies() {
        AmdSecureProcessorImpl sp = TestConfigs.processor(15, 5);
        Map<String, byte[]> certs = sp.platformCertificates();
        SevCertificate pdh = SevCertificate.parse(certs.get("pdh"));
        SevCertificate pek = SevCertificate.parse(certs.get("pek"));
        assertTrue(pdh.signedBy(pek));
        assertTrue(pek.signedBy(SevCertificate.parse(certs.get("oca"))));
        assertTrue(pek.signedBy(SevCertificate.parse(certs.get("cek"))));
        assertEquals("keys are derived from the chip seed", pdh.publicKey(),
                SevCertificate.parse(TestConfigs.processor(15, 5).platformCertificates().get("pdh")).publicKey());
    }

    @Test
    public void oneChipHasOneTcbWhicheverBackendAsks() {
        // regression: tcb() (SEV's descriptor) was a constant SNP=apiMinor, MICROCODE=209 beside snpTcb()'s values
        for (String line : new String[] {"Milan", "Genoa", "Turin"}) {
            AmdSecureProcessorImpl sp = new AmdSecureProcessorImpl(TestConfigs.amdSp(Map.of("productLine", line,
                    "snpSpl", 22, "microcodeSpl", 0x48)));
            assertEquals(line, sp.snpTcb(), sp.tcb());
            assertEquals(line, Integer.valueOf(22), sp.tcb().components().get("SNP"));
            assertEquals(line, Integer.valueOf(0x48), sp.tcb().components().get("MICROCODE"));
            sp.modifiedForTest(Map.of("productLine", line, "snpSpl", 23, "microcodeSpl", 0x49));
            assertEquals("after a firmware update, " + line, sp.snpTcb(), sp.tcb());
            assertEquals(line, Integer.valueOf(23), sp.tcb().components().get("SNP"));
        }
    }

    @Test
    public void badConfigurationIsRejectedNamingTheField() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TestConfigs.processor(15, 17)).getMessage()
                .contains("minSevAsid must be 1..maxAsid+1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TestConfigs.processor(0, 1)).getMessage()
                .contains("maxAsid must be 1..1006"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new AmdSecureProcessorImpl(TestConfigs.amdSp(Map.of("productLine", "Rome")))).getMessage()
                .contains("productLine"));
    }

    @Test
    public void asidLimitsCannotShrinkUnderAGuest() {
        AmdSecureProcessorImpl sp = TestConfigs.processor(15, 5);
        sp.createSevContext(AsidPool.SEV, 0);
        sp.modified(TestConfigs.amdSp(Map.of("maxAsid", 31, "minSevAsid", 5)));
        assertEquals(31, sp.asidLimits(AsidPool.SEV).last());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> sp.modified(TestConfigs.amdSp(Map.of("maxAsid", 63, "minSevAsid", 6, "snpSpl", 9))));
        assertTrue(e.getMessage(), e.getMessage().contains("minSevAsid"));
        assertEquals("refused: ASID 5 would change pool", 5, sp.asidLimits(AsidPool.SEV).first());
        assertEquals("nothing of the refused configuration applies", 31, sp.asidLimits(AsidPool.SEV).last());
        assertEquals(Integer.valueOf(8), sp.snpTcb().components().get("SNP"));
    }

    /** A platform state in memory, as the platform bundle keeps one on disk. */
    static final class MemoryState implements io.teebox.api.platform.PlatformState {
        final Map<String, byte[]> values = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public java.nio.file.Path directory() {
            return java.nio.file.Path.of("memory");
        }

        @Override
        public byte[] secret(String platform, String name, int length) {
            return kept(platform, name, () -> {
                byte[] b = new byte[length];
                new java.security.SecureRandom().nextBytes(b);
                return b;
            });
        }

        @Override
        public byte[] kept(String platform, String name, java.util.function.Supplier<byte[]> create) {
            return values.computeIfAbsent(platform + "/" + name, k -> create.get()).clone();
        }
    }

    @Test
    public void aPlatformKeepsItsIdentityInItsStateAcrossRestarts() throws Exception {
        MemoryState state = new MemoryState();
        AmdSecureProcessorImpl first = new AmdSecureProcessorImpl(TestConfigs.amdSp(Map.of("chipSeed", "")), state);
        AmdSecureProcessorImpl restarted = new AmdSecureProcessorImpl(TestConfigs.amdSp(Map.of("chipSeed", "")),
                state);
        assertArrayEquals("the same ARK certificate bytes", first.keys().ark().getEncoded(),
                restarted.keys().ark().getEncoded());
        assertArrayEquals(first.keys().ask().getEncoded(), restarted.keys().ask().getEncoded());
        assertArrayEquals(first.keys().chipId(), restarted.keys().chipId());
        for (String cert : new String[] {"pdh", "pek", "oca", "cek"}) {
            assertArrayEquals("the same " + cert + " certificate", first.platformCertificates().get(cert),
                    restarted.platformCertificates().get(cert));
        }
        AmdSecureProcessorImpl other = new AmdSecureProcessorImpl(TestConfigs.amdSp(Map.of("chipSeed", "")),
                new MemoryState());
        assertFalse("another machine is another chip", java.util.Arrays.equals(first.keys().chipId(),
                other.keys().chipId()));
        assertThrows(IllegalArgumentException.class,
                () -> new AmdSecureProcessorImpl(TestConfigs.amdSp(Map.of("chipSeed", "")), null));
    }
}
