package io.teebox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

import io.teebox.api.hypervisor.GuestState;

/** Stopping the SEV backend bundle is a firmware update in progress: its guests pause and later resume intact. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class BackendSwapIT extends TeeboxTestSupport {

    @Test
    public void stoppingTheSevBundlePausesTheGuestAndStartingItResumesItWithMemoryIntact() throws Exception {
        launchSevGuest("swap");
        long area = launchSecretAddress();
        long page = area & ~0xFFFL;
        byte[] before = hypervisor().context("swap").read(page, 4096);
        assertTrue("the secret is in guest memory before the swap", indexOf(before, SECRET) >= 0);

        Bundle sev = installedBundle("io.teebox.sev");
        sev.stop();
        await("guest PAUSED after stopping io.teebox.sev",
                () -> hypervisor().guest("swap").state() == GuestState.PAUSED);
        assertThrows("a paused guest cannot read its memory", io.teebox.api.tee.TeeException.class,
                () -> hypervisor().context("swap").read(page, 16));

        sev.start();
        await("guest RUNNING after starting io.teebox.sev",
                () -> hypervisor().guest("swap").state() == GuestState.RUNNING);

        byte[] after = hypervisor().context("swap").read(page, 4096);
        assertEquals("the secret's offset in the page after the swap", indexOf(before, SECRET),
                indexOf(after, SECRET));
        assertTrue("guest memory is unchanged by the swap", java.util.Arrays.equals(before, after));
    }

    @Test
    public void aGuestDestroyedWhileTheSevBundleIsStoppedFreesItsAsidWhenTheBundleReturns() throws Exception {
        launchSevGuest("leak-a");
        launchSevGuest("leak-b");
        int held = backend("sev").descriptor().keySlots().inUse();
        Bundle sev = installedBundle("io.teebox.sev");
        for (int round = 0; round < 3; round++) {
            sev.stop();
            await("guests PAUSED", () -> hypervisor().guest("leak-b").state() == GuestState.PAUSED);
            hypervisor().destroy("leak-a");
            sev.start();
            await("guest RUNNING again", () -> hypervisor().guest("leak-b").state() == GuestState.RUNNING);
            assertEquals("the destroyed guest's ASID is free again (round " + round + ")", held - 1,
                    backend("sev").descriptor().keySlots().inUse());
            launchSevGuest("leak-a");
            assertEquals(held, backend("sev").descriptor().keySlots().inUse());
        }
        hypervisor().destroy("leak-a");
        hypervisor().destroy("leak-b");
        assertEquals(held - 2, backend("sev").descriptor().keySlots().inUse());
    }
}
