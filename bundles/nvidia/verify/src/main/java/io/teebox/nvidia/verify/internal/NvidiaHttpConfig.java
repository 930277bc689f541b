package io.teebox.nvidia.verify.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of NVIDIA's RIM service and OCSP responder reached over HTTP (factory pid
 * {@code io.teebox.nvidia.http}).
 */
@ObjectClassDefinition(name = "teebox NVIDIA RIM service and OCSP over HTTP",
        description = "Where the GPU verifier fetches RIMs and OCSP answers: NVIDIA's own services "
                + "(https://rim.attestation.nvidia.com, https://ocsp.ndis.nvidia.com) or another teebox's "
                + "(http://127.0.0.1:8440/nvidia/rim, http://127.0.0.1:8440/nvidia/ocsp)")
public @interface NvidiaHttpConfig {

    @AttributeDefinition(name = "RIM service URL", description = "The RIM service's base URL; RIMs are fetched "
            + "from <url>/v1/rim/<id>, as NVIDIA's verifier does (its NV_RIM_URL)")
    String rimUrl() default "https://rim.attestation.nvidia.com";

    @AttributeDefinition(name = "OCSP URL", description = "The OCSP responder requests are POSTed to "
            + "(application/ocsp-request), as NVIDIA's verifier does (its NV_OCSP_URL)")
    String ocspUrl() default "https://ocsp.ndis.nvidia.com/";

    @AttributeDefinition(name = "Connect timeout (ms)", description = "How long to wait for a connection, 1..60000")
    int connectTimeoutMs() default 5000;

    @AttributeDefinition(name = "Read timeout (ms)", description = "How long to wait for an answer, 1..120000")
    int readTimeoutMs() default 10000;

    @AttributeDefinition(name = "Ranking", description = "Sources are asked highest ranking first (service.ranking)")
    int service_ranking() default 0;
}
