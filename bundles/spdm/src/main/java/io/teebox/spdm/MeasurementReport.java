package io.teebox.spdm;

import io.teebox.spdm.internal.Writer;

/**
 * A signed GET_MEASUREMENTS exchange as the requester saw it: the request and the response bytes, the response
 * parsed. {@link #report()} is request || response, the shape of NVIDIA's GPU attestation report.
 *
 * @param request the GET_MEASUREMENTS bytes
 * @param response the MEASUREMENTS bytes
 * @param measurements the response, parsed
 */
public record MeasurementReport(byte[] request, byte[] response, Measurements measurements) {

    /** Takes copies. */
    public MeasurementReport {
        request = request.clone();
        response = response.clone();
    }

    /** @return request || response */
    public byte[] report() {
        return new Writer().bytes(request).bytes(response).toByteArray();
    }

    /** @return a copy of request */
    @Override
    public byte[] request() {
        return request.clone();
    }

    /** @return a copy of response */
    @Override
    public byte[] response() {
        return response.clone();
    }
}
