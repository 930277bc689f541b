package io.teebox.api.platform;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Where the platform's HTTP server listens: the emulated vendor services (AMD KDS, Intel PCS), the attestation
 * service and the key broker are servlets on it. Registered once the server runs.
 */
@ProviderType
public interface HttpEndpoint {

    /**
     * @return the base URL without a trailing slash, for example {@code http://127.0.0.1:8440}
     */
    String baseUrl();
}
