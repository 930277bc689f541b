package io.teebox.api.attestation;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Signed evidence about a guest in the vendor's own format.
 *
 * @param format the format id, for example {@code "sev-snp-report"}, {@code "tdx-quote-v4"} or
 *            {@code "sev-attestation"}
 * @param report the raw evidence bytes exactly as the device emits them
 * @param certificates the certificate chain that signs it, leaf first, each in its native encoding (DER for X.509,
 *            the 0x824-byte format for SEV certificates)
 * @param attachments further named material (event logs, collateral), in order
 */
public record Evidence(String format, byte[] report, List<byte[]> certificates, Map<String, byte[]> attachments) {

    /** Creates evidence; arrays and collections are copied. */
    public Evidence {
        Objects.requireNonNull(format, "format");
        report = report.clone();
        certificates = certificates.stream().map(byte[]::clone).toList();
        Map<String, byte[]> copy = new LinkedHashMap<>();
        attachments.forEach((k, v) -> copy.put(k, v.clone()));
        attachments = Collections.unmodifiableMap(copy);
    }

    /** @return a copy of the raw evidence */
    @Override
    public byte[] report() {
        return report.clone();
    }

    /** @return copies of the certificates, leaf first */
    @Override
    public List<byte[]> certificates() {
        return certificates.stream().map(byte[]::clone).toList();
    }

    /** @return copies of the attachments, in order */
    @Override
    public Map<String, byte[]> attachments() {
        Map<String, byte[]> copy = new LinkedHashMap<>();
        attachments.forEach((k, v) -> copy.put(k, v.clone()));
        return Collections.unmodifiableMap(copy);
    }

    /**
     * @param name an attachment's name
     * @return a copy of it, or null
     */
    public byte[] attachment(String name) {
        byte[] a = attachments.get(name);
        return a == null ? null : a.clone();
    }
}
