package io.teebox.amd.sev.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.Before;
import org.junit.Test;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;

import io.teebox.amd.sev.firmware.internal.SevFirmware;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.LaunchOwner;
import io.teebox.api.launch.LaunchRequest;
import io.teebox.api.launch.LaunchSession;
import io.teebox.api.launch.PageType;
import io.teebox.api.launch.SecretPacket;
import io.teebox.api.owner.OwnerPolicy;
import io.teebox.api.tee.Capability;
import io.teebox.api.tee.TeeException;
import io.teebox.api.testing.MapGuestMemory;
import io.teebox.kit.firmware.FirmwareBuilder;
import io.teebox.kit.firmware.KernelHashes;
import io.teebox.kit.firmware.OvmfImage;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x86.CpuModels;
import io.teebox.kit.x86.Vmsa;
import io.teebox.amd.owner.testing.AmdOwners;

/** The SEV-ES launch: VMSAs measured after the data pages and encrypted, on the shared seves-* vectors. */
public class SevEsLaunchTest {

    private SevFirmware es;
    private byte[] firmware;
    private Map<String, String> expected;

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = SevEsLaunchTest.class.getResourceAsStream("/vectors/firmware/" + name)) {
            return in.readAllBytes();
        }
    }

    @Before
    public void setUp() throws IOException {
        es = new SevFirmware(Platforms.processor(15, 5), SevFirmware.Mode.SEV_ES) { };
        firmware = resource("synthetic-ovmf.fd");
        expected = new HashMap<>();
        try (InputStream in = getClass().getResourceAsStream("/vectors/firmware/expected.json")) {
            for (JsonElement c : JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8))
                    .getAsJsonObject().getAsJsonArray("cases")) {
                expected.put(c.getAsJsonObject().get("name").getAsString(),
                        c.getAsJsonObject().get("expected").getAsString());
            }
        }
    }

    /** As the hypervisor does: firmware, optional kernel table, reset VMSAs, LAUNCH_UPDATE_VMSA each. */
    private LaunchSession launch(LaunchOwner owner, MapGuestMemory mem, GuestConfig config, byte[] table) {
        LaunchSession s = es.begin(owner.start(es.descriptor(), es.platformCertificates(), config), mem);
        OvmfImage image = OvmfImage.parse(firmware);
        mem.place(image.loadAddress(), firmware);
        s.addPages(image.loadAddress(), firmware.length, PageType.NORMAL);
        if (table != null) {
            mem.place(0x807C00, table);
            s.addPages(0x807C00, table.length, PageType.NORMAL);
        }
        long sig = CpuModels.signature(config.vcpuType());
        for (int i = 0; i < config.vcpus(); i++) {
            mem.saveAreas[i] = Vmsa.qemuReset(i == 0 ? Vmsa.BSP_EIP : image.sevEsResetEip().getAsLong(), sig, 0);
            s.addVcpuState(i);
        }
        for (SecretPacket p : owner.approve(s.measure())) {
            s.injectSecret(p);
        }
        s.finish();
        return s;
    }

    private OwnerPolicy policy(byte[] kernel, String cmdline, byte[] expect) {
        return new OwnerPolicy(0x5, firmware, kernel, null, cmdline, expect, null, -1);
    }

    @Test
    public void launchDigestMatchesReferenceForTwoMilanVcpus() {
        GuestConfig config = new GuestConfig("es", "sev-es", 2, "EPYC-Milan", 64 << 20);
        byte[] want = Hex.decode(expected.get("seves-2vcpu-milan"));
        assertArrayEquals(want, AmdOwners.sevEs().expectedDigest(policy(null, null, null), 2, "EPYC-Milan"));
        MapGuestMemory mem = new MapGuestMemory(2);
        LaunchSession s = launch(AmdOwners.sevEs().prepare(policy(null, null, want)), mem, config, null);
        assertEquals(List.of("LAUNCH_START", "ACTIVATE", "LAUNCH_UPDATE_DATA", "LAUNCH_UPDATE_VMSA",
                "LAUNCH_UPDATE_VMSA", "LAUNCH_MEASURE", "LAUNCH_FINISH"), s.log().stream().map(e -> e.command())
                .toList());
        assertTrue("SEV-ES ASIDs lie below the first SEV-only ASID", s.keySlot().id() < 5);
        assertTrue(es.descriptor().has(Capability.REGISTER_ENCRYPTION));
    }

    @Test
    public void launchDigestWithKernelMatchesReferenceForOneEpycV4Vcpu() throws IOException {
        byte[] kernel = resource("synthetic-kernel.bin");
        byte[] want = Hex.decode(expected.get("seves-1vcpu-epyc-v4-kernel"));
        assertArrayEquals(want, AmdOwners.sevEs().expectedDigest(policy(kernel, "quiet", null), 1, "EPYC-v4"));
        launch(AmdOwners.sevEs().prepare(policy(kernel, "quiet", want)), new MapGuestMemory(1),
                new GuestConfig("es", "sev-es", 1, "EPYC-v4", 64 << 20), KernelHashes.table(kernel, null, "quiet"));
    }

    @Test
    public void vmsaIsCiphertextToTheHostAfterLaunchUpdateVmsa() {
        MapGuestMemory mem = new MapGuestMemory(1);
        launch(AmdOwners.sevEs().prepare(policy(null, null, null)), mem,
                new GuestConfig("es", "sev-es", 1, "EPYC-v4", 64 << 20), null);
        byte[] plain = Vmsa.qemuReset(Vmsa.BSP_EIP, 0x800F12, 0);
        assertFalse(java.util.Arrays.equals(plain, mem.saveAreas[0]));
        assertFalse(Vmsa.registers(mem.saveAreas[0]).get("rdx") == 0x800F12L);
    }

    @Test
    public void vmsaBeforeDataOrAfterMeasureIsInvalidGuestState() {
        MapGuestMemory mem = new MapGuestMemory(1);
        LaunchSession s = es.begin(new LaunchRequest(0x5, Map.of(), 1, "EPYC-v4"), mem);
        TeeException e = assertThrows(TeeException.class, () -> s.addVcpuState(0));
        assertEquals("INVALID_GUEST_STATE", e.status().name());
        assertTrue(e.getMessage().contains("before any LAUNCH_UPDATE_DATA"));
        mem.place(0x1000, new byte[4096]);
        s.addPages(0x1000, 4096, PageType.NORMAL);
        s.addVcpuState(0);
        assertEquals("INVALID_GUEST_STATE", assertThrows(TeeException.class,
                () -> s.addPages(0x2000, 4096, PageType.NORMAL)).status().name());
        assertEquals("INVALID_PARAM", assertThrows(TeeException.class, () -> s.addVcpuState(0)).status().name());
        s.measure();
        assertEquals("INVALID_GUEST_STATE", assertThrows(TeeException.class, () -> s.addVcpuState(0)).status()
                .name());
    }

    @Test
    public void policyWithoutEsBitIsRefused() {
        TeeException e = assertThrows(TeeException.class,
                () -> es.begin(new LaunchRequest(0x1, Map.of(), 1, "EPYC-v4"), new MapGuestMemory(1)));
        assertEquals("POLICY_FAILURE", e.status().name());
        assertTrue(e.getMessage().contains("lacks bit ES"));
        assertEquals(0, es.limits().inUse());
    }

    @Test
    public void unknownVcpuTypeOrFirmwareWithoutApResetBlockIsAClearError() {
        assertThrows(IllegalArgumentException.class,
                () -> AmdOwners.sevEs().expectedDigest(policy(null, null, null), 1, "EPYC-Nonesuch"));
        byte[] noAp = new FirmwareBuilder(64 * 1024).build();
        OwnerPolicy p = new OwnerPolicy(0x5, noAp, null, null, null, null, null, -1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AmdOwners.sevEs().expectedDigest(p, 2, "EPYC-v4"));
        assertTrue(e.getMessage().contains("AP reset block"));
    }
}
