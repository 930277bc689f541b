package io.teebox.nvidia.h100.internal;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.teebox.api.device.DeviceTee;
import io.teebox.nvidia.h100.H100Platform;

/**
 * The H100s' host tools, a service of its own beside the backend's: a service registered under both the API's
 * interfaces and this bundle's {@link H100Platform} would be invisible to every filter-based lookup (a
 * {@code ServiceTracker} with an {@code objectClass} filter) from a bundle still wired to the package of an older
 * revision of this bundle after an update without a refresh, as the framework checks every interface of the
 * service then; the backend's own services must stay visible through a firmware update.
 */
@Component(service = H100Platform.class, property = "tee.type=" + H100Backend.TEE_TYPE)
public final class H100Tools implements H100Platform {

    private final H100Backend backend;

    /** @param backend the backend of this bundle */
    @Activate
    public H100Tools(@Reference(target = "(tee.type=" + H100Backend.TEE_TYPE + ")") DeviceTee backend) {
        this.backend = (H100Backend) backend;
    }

    @Override
    public byte[] debugRead(String gpu, long deviceAddress, int length) {
        return backend.debugRead(gpu, deviceAddress, length);
    }

    @Override
    public Map<String, Long> perfCounters(String gpu) {
        return backend.perfCounters(gpu);
    }

    @Override
    public List<X509Certificate> certificateChain(String gpu) {
        return backend.certificateChain(gpu);
    }

    @Override
    public X509Certificate deviceRoot() {
        return backend.deviceRoot();
    }

    @Override
    public List<String> rimIds() {
        return backend.rimIds();
    }
}
