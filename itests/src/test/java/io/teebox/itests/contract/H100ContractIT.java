package io.teebox.itests.contract;

import javax.inject.Inject;

import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.util.tracker.ServiceTracker;

import io.teebox.api.device.DeviceAssignment;
import io.teebox.api.device.DeviceTee;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.hypervisor.LaunchPlan;
import io.teebox.api.owner.GuestOwnerService;
import io.teebox.api.owner.OwnerPolicy;
import io.teebox.api.tee.TeeBackend;
import io.teebox.itests.TeeboxTestSupport;
import io.teebox.tck.DeviceContract;
import io.teebox.tck.DeviceSubject;
import io.teebox.tck.OsgiSubject;

/** The h100 backend passes the device contract, with SEV-SNP guests as the confidential VMs and SEV as the other. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class H100ContractIT extends DeviceContract {

    @Inject
    private BundleContext context;

    /** @return the platform's bundles */
    @Configuration
    public Option[] configuration() {
        return TeeboxTestSupport.platform();
    }

    @Override
    protected DeviceSubject subject() {
        return new DeviceSubject() {
            @Override
            public String teeType() {
                return "h100";
            }

            @Override
            public Hypervisor hypervisor() {
                return service(Hypervisor.class, null);
            }

            @Override
            public DeviceAssignment assignment() {
                return service(DeviceAssignment.class, null);
            }

            @Override
            public TeeBackend backend() {
                return service(TeeBackend.class, "(tee.type=h100)");
            }

            @Override
            public DeviceTee device() {
                return service(DeviceTee.class, "(tee.type=h100)");
            }

            @Override
            public void launchConfidentialGuest(String name) {
                launch(name, "sev-snp", "EPYC-Milan", new OwnerPolicy(0x30000, null, null, null, null, null, null,
                        -1));
            }

            @Override
            public boolean launchPlainGuest(String name) {
                launch(name, "sev", "EPYC-v4", new OwnerPolicy(0x1, null, null, null, null, null, null, -1));
                return true;
            }

            private void launch(String name, String tee, String cpu, OwnerPolicy policy) {
                Hypervisor hv = hypervisor();
                hv.create(new GuestConfig(name, tee, 1, cpu, 64L << 20));
                hv.launch(name, LaunchPlan.DEFAULT, service(GuestOwnerService.class, "(tee.type=" + tee + ")")
                        .prepare(policy));
            }

            @Override
            public java.util.Optional<byte[]> malformedMessage() {
                // NVIDIA's RM-GSP framing (NV_SPDM_DESC_HEADER: msgType 0 NORMAL, msgSizeByte, version 0x10, LE)
                // around an SPDM 1.1 message with a request code no version defines
                byte[] spdm = {0x11, 0x01, 0x00, 0x00};
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(12 + spdm.length)
                        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
                b.putInt(0).putInt(spdm.length).putInt(0x10).put(spdm);
                return java.util.Optional.of(b.array());
            }

            @Override
            public void updateBackend() {
                Bundle b = context.getServiceReference(DeviceTee.class).getBundle();
                try {
                    b.update();
                } catch (BundleException e) {
                    throw new AssertionError("updating " + b.getSymbolicName() + ": " + e.getMessage(), e);
                }
                OsgiSubject.await("the h100 backend back after its update", () -> b.getState() == Bundle.ACTIVE
                        && hypervisor().backends().stream().anyMatch(d -> d.teeType().equals("h100")));
            }
        };
    }

    private <T> T service(Class<T> type, String filter) {
        String f = "(&(objectClass=" + type.getName() + ")" + (filter == null ? "" : filter) + ")";
        ServiceTracker<T, T> tracker;
        try {
            tracker = new ServiceTracker<>(context, FrameworkUtil.createFilter(f), null);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(f, e);
        }
        tracker.open();
        try {
            T s = tracker.waitForService(OsgiSubject.TIMEOUT_MS);
            if (s == null) {
                throw new AssertionError("no service " + f);
            }
            return s;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            tracker.close();
        }
    }
}
