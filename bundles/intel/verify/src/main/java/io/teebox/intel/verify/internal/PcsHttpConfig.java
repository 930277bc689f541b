package io.teebox.intel.verify.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of an Intel PCS reached over HTTP (factory pid {@code io.teebox.intel.pcs.http}). */
@ObjectClassDefinition(name = "teebox Intel PCS over HTTP",
        description = "An Intel Provisioning Certification Service (API v4) the DCAP verifier fetches PCK CRLs, TCB "
                + "info and the QE identity from when evidence lacks them: Intel's own "
                + "(https://api.trustedservices.intel.com) or another teebox's")
public @interface PcsHttpConfig {

    @AttributeDefinition(name = "URL", description = "The PCS's base URL, for example "
            + "https://api.trustedservices.intel.com or http://127.0.0.1:8440; a trailing /sgx/certification/v4 or "
            + "/tdx/certification/v4 is dropped")
    String url();

    @AttributeDefinition(name = "Root CA CRL URL", description = "Where the Intel SGX Root CA's CRL is (DER). Empty: "
            + "{url}/IntelSGXRootCA.der, as teebox's PCS serves it; Intel's is "
            + "https://certificates.trustedservices.intel.com/IntelSGXRootCA.der")
    String rootCaCrlUrl() default "";

    @AttributeDefinition(name = "Connect timeout (ms)", description = "How long to wait for a connection, 1..60000")
    int connectTimeoutMs() default 5000;

    @AttributeDefinition(name = "Read timeout (ms)", description = "How long to wait for an answer, 1..120000")
    int readTimeoutMs() default 10000;

    @AttributeDefinition(name = "Ranking", description = "Sources are asked highest ranking first (service.ranking)")
    int service_ranking() default 0;
}
