package io.teebox.amd.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;

import io.teebox.kit.x509.X509Authority;

/**
 * The genuine AMD vectors in {@code vectors/amd-sev-snp/} (provenance in the README there), shared with other
 * modules' tests through this module's test-jar.
 */
public final class AmdVectors {

    /** The genuine Milan report's REPORT_DATA prefix (the rest is zero). */
    public static final byte[] GENUINE_REPORT_DATA = {1, 2, 3, 4, 5};

    private AmdVectors() {
    }

    /**
     * @param name a file name in vectors/amd-sev-snp
     * @return its bytes
     */
    public static byte[] bytes(String name) {
        try (InputStream in = AmdVectors.class.getResourceAsStream("/vectors/amd-sev-snp/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no vector vectors/amd-sev-snp/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the genuine Milan ATTESTATION_REPORT (attestation.bin) */
    public static byte[] milanReport() {
        return bytes("attestation.bin");
    }

    /** @return the genuine Milan VCEK that signed {@link #milanReport()} */
    public static X509Certificate milanVcek() {
        return X509Authority.certificateFromDer(bytes("vcek.testcer"));
    }

    /**
     * @param name a PEM chain file, e.g. ask_ark_genoa.pem
     * @return ASK (or ASVK), then ARK
     */
    public static List<X509Certificate> chain(String name) {
        List<X509Certificate> c = X509Authority.certificatesFromPem(new String(bytes(name), StandardCharsets.US_ASCII));
        if (c.size() != 2) {
            throw new IllegalStateException(name + " holds " + c.size() + " certificates, expected 2");
        }
        return c;
    }
}
