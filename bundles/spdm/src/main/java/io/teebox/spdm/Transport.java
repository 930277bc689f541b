package io.teebox.spdm;

import org.osgi.annotation.versioning.ConsumerType;

/** Carries one request to the responder and returns its response. {@link Responder#exchange} is one. */
@ConsumerType
@FunctionalInterface
public interface Transport {

    /**
     * Sends a request and waits for the response.
     *
     * @param request the request
     * @return the response
     */
    Packet exchange(Packet request);
}
