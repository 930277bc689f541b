package io.teebox.nvidia.h100;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/**
 * What the host's tools reach of the platform's H100s beyond {@link io.teebox.api.device.DeviceTee}: a debugger's
 * read of device memory and the performance counters (both refused in CC mode {@code on}, as NVIDIA's developer
 * tools are), each GPU's certificate chain, and the ids of the RIMs its driver and VBIOS are published under.
 * Registered by the h100 bundle with {@code tee.type=h100}.
 */
@ProviderType
public interface H100Platform {

    /**
     * A debugger's read of device memory, protected memory included (what CC mode {@code devtools} allows).
     *
     * @param gpu the GPU, for example {@code gpu0}
     * @param deviceAddress the address
     * @param length bytes, at most 1 MiB
     * @return the bytes as stored
     * @throws io.teebox.api.tee.TeeException {@code NV_ERR_INSUFFICIENT_PERMISSIONS} in CC mode {@code on}
     * @throws IllegalArgumentException for an unknown GPU or a range outside its memory
     */
    byte[] debugRead(String gpu, long deviceAddress, int length);

    /**
     * @param gpu the GPU
     * @return its performance counters by name
     * @throws io.teebox.api.tee.TeeException {@code NV_ERR_INSUFFICIENT_PERMISSIONS} in CC mode {@code on}
     */
    Map<String, Long> perfCounters(String gpu);

    /**
     * @param gpu the GPU
     * @return its 5 device certificates, leaf ("GH100 A01 GSP FMC LF") first
     */
    List<X509Certificate> certificateChain(String gpu);

    /** @return the device-identity root the GPUs' chains lead to, "NVIDIA Device Identity CA" */
    X509Certificate deviceRoot();

    /** @return the ids of the driver RIM and the VBIOS RIM, in that order, as published on the RIM service */
    List<String> rimIds();
}
