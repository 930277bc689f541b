package io.teebox.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.GuestState;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.hypervisor.LaunchPlan;
import io.teebox.api.hypervisor.VcpuView;
import io.teebox.api.owner.OwnerPolicy;

/** SEV and SEV-ES guests on one platform; the SEV-ES backend swaps without touching the SEV guest. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SevAndSevEsSideBySideIT extends TeeboxTestSupport {

    @Test
    public void stoppingSevEsPausesOnlyEsGuestsAndRestartResumesThemWithMemoryAndRegistersIntact() throws Exception {
        Hypervisor hv = hypervisor();
        launchSevGuest("plain");
        hv.create(new GuestConfig("es", "sev-es", 2, "EPYC-Milan", GUEST_MEMORY));
        OwnerPolicy esPolicy = new OwnerPolicy(0x5, null, null, null, null, null, SECRET, -1);
        hv.launch("es", LaunchPlan.DEFAULT, guestOwner("sev-es").prepare(esPolicy));
        long area = launchSecretAddress();
        byte[] esMemory = hv.context("es").read(area & ~0xFFFL, 4096);
        assertTrue(indexOf(esMemory, SECRET) >= 0);
        VcpuView vcpu = hv.hostVcpu("es", 1);
        assertTrue("SEV-ES save areas are ciphertext to the host", vcpu.encrypted());
        assertFalse(hv.hostVcpu("plain", 0).encrypted());
        assertTrue(hv.guest("es").keySlot().id() < hv.guest("plain").keySlot().id());

        Bundle sevEs = installedBundle("io.teebox.sev-es");
        sevEs.stop();
        await("SEV-ES guest PAUSED", () -> hv.guest("es").state() == GuestState.PAUSED);
        assertEquals(GuestState.RUNNING, hv.guest("plain").state());
        assertTrue(indexOf(hv.context("plain").read(area & ~0xFFFL, 4096), SECRET) >= 0);

        sevEs.start();
        await("SEV-ES guest RUNNING", () -> hv.guest("es").state() == GuestState.RUNNING);
        assertArrayEquals(esMemory, hv.context("es").read(area & ~0xFFFL, 4096));
        assertArrayEquals(vcpu.saveArea(), hv.hostVcpu("es", 1).saveArea());
    }
}
