package io.teebox.hypervisor.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.GuestState;
import io.teebox.api.hypervisor.LaunchPlan;
import io.teebox.api.hypervisor.LaunchRejectedException;
import io.teebox.api.launch.LaunchRequest;
import io.teebox.api.owner.OwnerPolicy;
import io.teebox.intel.tdx.Tdx;
import io.teebox.intel.tdx.abi.TdAttributes;
import io.teebox.intel.tdx.abi.TdParams;
import io.teebox.intel.pcs.IntelPcs;
import io.teebox.intel.tdx.internal.TdxBackend;
import io.teebox.intel.tdx.internal.TdxTesting;
import io.teebox.intel.owner.internal.TdxGuestOwner;
import io.teebox.kit.hex.Hex;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** The TD owner: TD_PARAMS from the policy, MRTD computed from the expected firmware, no launch secret. */
public class TdxOwnerTest {

    private final TdxGuestOwner owner = new TdxGuestOwner();
    private HypervisorImpl hv;
    private IntelPcs pcs;
    private TdxBackend tdx;

    @Before
    public void setUp() {
        hv = new HypervisorImpl(TdxHypervisorTest.config(64, 4));
        pcs = TdxTesting.pcs();
        tdx = TdxTesting.backend(pcs);
        TdxHypervisorTest.bindTdx(hv, tdx);
    }

    @After
    public void tearDown() {
        TdxTesting.stop(pcs);
    }

    private static OwnerPolicy policy(long attributes, byte[] firmware, byte[] expected) {
        return new OwnerPolicy(attributes, firmware, null, null, null, expected, null, -1);
    }

    @Test
    public void expectedDigestIsTheMrtdOfTheExpectedFirmware() {
        assertEquals(TdxTesting.expected("tdx-mrtd"), Hex.encode(owner.expectedDigest(policy(0,
                TdxTesting.syntheticOvmf(), null), 1, "SPR")));
        LaunchRequest r = owner.prepare(policy(TdAttributes.SEPT_VE_DISABLE, null, null)).start(tdx.descriptor(),
                tdx.platformCertificates(), new GuestConfig("x", "tdx", 2, "SPR", 1 << 20));
        assertEquals(TdAttributes.SEPT_VE_DISABLE, r.policy());
        TdParams p = TdParams.parse(r.ownerParameter(Tdx.OWNER_TD_PARAMS));
        assertEquals(TdAttributes.SEPT_VE_DISABLE, p.attributes());
        assertEquals(2, p.maxVcpus());
    }

    @Test
    public void aWrongMrtdIsRejectedAndTheTdTornDown() {
        byte[] wrong = new byte[48];
        hv.create(new GuestConfig("td", "tdx", 1, "SPR", 16 << 20));
        LaunchRejectedException e = assertThrows(LaunchRejectedException.class, () -> hv.launch("td",
                LaunchPlan.DEFAULT, owner.prepare(policy(0, null, wrong))));
        assertTrue(e.getMessage(), e.getMessage().contains("is not the expected " + Hex.encode(wrong)));
        assertEquals(GuestState.TERMINATED, hv.guest("td").state());
        assertEquals(0, tdx.limits().inUse());
    }

    @Test
    public void theOwnerReleasesNoSecretAndRefusesWhatTdxCannotMeasure() {
        hv.create(new GuestConfig("td", "tdx", 1, "SPR", 16 << 20));
        assertEquals(0, hv.launch("td", LaunchPlan.DEFAULT, owner.prepare(policy(TdAttributes.SEPT_VE_DISABLE,
                null, null))).secretsInjected());
        assertArrayEquals(owner.expectedDigest(policy(0, null, null), 1, "SPR"), hv.measurement("td").orElseThrow()
                .value());
        assertThrows(IllegalArgumentException.class, () -> owner.prepare(new OwnerPolicy(0, null, null, null, null,
                null, new byte[16], -1)));
        assertThrows(IllegalArgumentException.class, () -> owner.prepare(new OwnerPolicy(0, null, new byte[16], null,
                null, null, null, -1)));
        assertThrows(IllegalArgumentException.class, () -> owner.prepare(policy(1L << 40, null, null)));
    }

    /** The default firmware with TDX metadata section {@code index}'s MemoryDataSize set to {@code size}. */
    private static byte[] withSectionSize(int index, long size) {
        byte[] fw = io.teebox.kit.firmware.DefaultFirmware.image();
        byte[] entry = io.teebox.kit.firmware.OvmfImage.parse(fw).footerEntries()
                .get(io.teebox.kit.firmware.OvmfImage.TDX_METADATA_OFFSET_GUID);
        int descriptor = (int) (fw.length - io.teebox.kit.codec.LittleEndian.u32(entry, 0));
        io.teebox.kit.codec.LittleEndian.put64(fw, descriptor + 16 + 32 * index + 16, size);
        return fw;
    }

    @Test
    public void aTdvfSectionOfFourGibOrMoreIsRefusedNamingTheFieldBeforeTheTdIsBuilt() {
        // section 2 is a TEMP_MEM section the TDX module adds unmeasured; 4 GiB of it overflowed an int in the
        // owner's MRTD computation (ArithmeticException) and the TD was TERMINATED
        byte[] fw = withSectionSize(2, 1L << 32);
        hv.create(new GuestConfig("td", "tdx", 1, "SPR", 16 << 20));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> hv.launch("td",
                new LaunchPlan(fw, null, null, null), owner.prepare(policy(TdAttributes.SEPT_VE_DISABLE, fw, null))));
        assertTrue(e.getMessage(), e.getMessage().contains("TDX metadata section 2 (TEMP_MEM) MemoryDataSize "
                + "0x100000000"));
        assertEquals(GuestState.CREATED, hv.guest("td").state());
        assertEquals(0, tdx.limits().inUse());
    }

    @Test
    public void theOwnersMrtdOfASectionOfTwoGibOrMoreIsComputedPageByPage() {
        // 2 GiB .. 4 GiB was past Math.toIntExact; the owner's MRTD is the module's sequence of PAGE.ADDs
        byte[] fw = withSectionSize(2, 0x8000_0000L);
        io.teebox.intel.tdx.abi.TdMeasurement m = new io.teebox.intel.tdx.abi.TdMeasurement();
        for (io.teebox.kit.firmware.TdxMetadataSection s : io.teebox.kit.firmware.OvmfImage.parse(fw).tdxMetadata()) {
            if (s.pageAug()) {
                continue;
            }
            for (long p = 0; p < s.memoryDataSize(); p += 4096) {
                if (s.extendMr()) {
                    byte[] page = new byte[4096];
                    if (p < s.rawDataSize()) {
                        System.arraycopy(fw, (int) (s.dataOffset() + p), page, 0, (int) Math.min(4096,
                                s.rawDataSize() - p));
                    }
                    m.addAndExtend(s.memoryAddress() + p, page);
                } else {
                    m.pageAdd(s.memoryAddress() + p);
                }
            }
        }
        assertArrayEquals(m.finish(), owner.expectedDigest(policy(0, fw, null), 1, "SPR"));
    }
}
