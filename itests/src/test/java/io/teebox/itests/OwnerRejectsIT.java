package io.teebox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import io.teebox.api.hypervisor.GuestState;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.hypervisor.LaunchOwner;
import io.teebox.api.hypervisor.LaunchPlan;
import io.teebox.api.hypervisor.LaunchRejectedException;
import io.teebox.api.owner.GuestOwnerService;

/** A guest owner refuses a launch whose measurement is not the one it expects; the platform carries on. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class OwnerRejectsIT extends TeeboxTestSupport {

    @Test
    public void ownerExpectingAnotherDigestRejectsTheLaunchAndTheGuestEndsTerminated() {
        Hypervisor hv = hypervisor();
        GuestOwnerService owners = guestOwner("sev");
        byte[] wrong = owners.expectedDigest(sevOwnerPolicy(null), 1, VCPU_TYPE);
        wrong[0] ^= 0x01;
        LaunchOwner owner = owners.prepare(sevOwnerPolicy(wrong));

        hv.create(sevGuest("rejected"));
        assertThrows(LaunchRejectedException.class, () -> hv.launch("rejected", LaunchPlan.DEFAULT, owner));

        assertEquals(GuestState.TERMINATED, hv.guest("rejected").state());
        assertFalse("no secret may be injected into a rejected guest",
                hv.launchLog("rejected").stream().anyMatch(e -> e.command().equals("LAUNCH_SECRET")));

        // the platform keeps running: the next launch, with an owner that expects the right digest, works
        assertEquals(GuestState.RUNNING, launchSevGuest("accepted").guest().state());
    }
}
