package io.teebox.hypervisor.internal;

import java.util.List;
import java.util.Map;
import java.util.Set;

import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.GuestState;
import io.teebox.api.hypervisor.LaunchOwner;
import io.teebox.api.hypervisor.LaunchPlan;
import io.teebox.api.hypervisor.LaunchResult;
import io.teebox.api.launch.LaunchRequest;
import io.teebox.api.launch.LaunchSession;
import io.teebox.api.launch.Measurement;
import io.teebox.api.launch.SecretPacket;
import io.teebox.api.tee.BackendDescriptor;
import io.teebox.spi.loader.GuestImage;
import io.teebox.spi.loader.LaunchStaging;

/**
 * Drives a launch: the owner's request, the backend's launch session, the backend's image loader placing and
 * measuring the image, the owner's approval of the measurement and the secrets it releases. A launch that fails at
 * any step terminates the guest and frees what the firmware had given it.
 */
final class LaunchDriver {

    private final Guests guests;

    LaunchDriver(Guests guests) {
        this.guests = guests;
    }

    LaunchResult launch(String ref, LaunchPlan plan, LaunchOwner owner) {
        if (plan == null || owner == null) {
            throw new IllegalArgumentException("launch needs a plan and a guest owner");
        }
        Guest g = guests.find(ref);
        synchronized (g) {
            if (g.state != GuestState.CREATED) {
                throw new IllegalStateException("guest " + g.config.name() + " is " + g.state
                        + "; only a CREATED guest can be launched");
            }
            Backend b = guests.backends().require(g.config.teeType());
            GuestImage image = GuestImage.of(plan.firmware(), plan.kernel(), plan.initrd(), plan.cmdline());
            // Refused before anything is created, as QEMU refuses an image the TEE cannot launch or measure.
            b.loader().check(image, g.config);
            g.state = GuestState.LAUNCHING;
            g.note = "";
            LaunchSession session = null;
            try {
                BackendDescriptor descriptor = b.tee().descriptor();
                LaunchRequest request = owner.start(descriptor, whenRead(b.tee()::platformCertificates), g.config);
                session = b.launch().begin(request, g.firmwareView);
                g.handle = session.handle();
                g.slot = session.keySlot();
                g.policy = request.policy();

                b.loader().load(image, session, staging(g));
                Measurement m = session.measure();
                g.measurement = m;
                List<SecretPacket> secrets = owner.approve(m);
                for (SecretPacket p : secrets) {
                    session.injectSecret(p);
                }
                session.finish();
                g.state = GuestState.RUNNING;
                g.appendLog(session.log());
                return new LaunchResult(g.info(), m, secrets.size(), g.log);
            } catch (RuntimeException e) {
                if (session != null) {
                    g.appendLog(session.log());
                }
                g.state = GuestState.TERMINATED;
                g.note = "launch failed: " + e.getMessage();
                guests.teardown(g);
                throw e;
            }
        }
    }

    /** The host's side of loading an image: plaintext into pages not yet encrypted, vCPU reset states. */
    private static LaunchStaging staging(Guest g) {
        return new LaunchStaging() {
            @Override
            public GuestConfig config() {
                return g.config;
            }

            @Override
            public void place(long gpa, byte[] data) {
                g.memory.checkRange(gpa, data.length);
                GuestSide.forEachPage(gpa, data.length, (pageGpa, inPage, off, n) -> {
                    GuestPages.Page p = g.memory.page(pageGpa);
                    if (p.priv) {
                        throw new IllegalStateException(String.format("page 0x%X is already encrypted", pageGpa));
                    }
                    System.arraycopy(data, off, p.raw, inPage, n);
                });
            }

            @Override
            public void resetVcpu(int vcpu, byte[] saveArea, boolean encrypted) {
                if (vcpu < 0 || vcpu >= g.vcpus.length || saveArea.length != GuestPages.PAGE_SIZE) {
                    throw new IllegalArgumentException("vCPU " + vcpu + " with a " + saveArea.length
                            + "-byte save area: the guest has vCPUs 0.." + (g.vcpus.length - 1) + " and save areas of "
                            + GuestPages.PAGE_SIZE + " bytes");
                }
                g.vcpus[vcpu].saveArea = saveArea.clone();
                g.vcpus[vcpu].encrypted = encrypted;
            }
        };
    }

    /**
     * The platform's certificates as the owner sees them, fetched when the owner first reads them: an SEV owner
     * needs the PDH chain, an SNP owner none, and building SNP's ARK/ASK/VCEK chain cost a first launch 0.2-0.4 s.
     */
    static Map<String, byte[]> whenRead(java.util.function.Supplier<Map<String, byte[]>> certificates) {
        return new java.util.AbstractMap<>() {
            private Map<String, byte[]> made;

            private synchronized Map<String, byte[]> made() {
                if (made == null) {
                    made = certificates.get();
                }
                return made;
            }

            @Override
            public Set<Map.Entry<String, byte[]>> entrySet() {
                return made().entrySet();
            }

            @Override
            public byte[] get(Object key) {
                return made().get(key);
            }

            @Override
            public boolean containsKey(Object key) {
                return made().containsKey(key);
            }
        };
    }
}
