package io.teebox.nvidia.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;

import io.teebox.kit.hex.Hex;
import io.teebox.kit.x509.X509Authority;

/** The genuine NVIDIA H100 vectors (src/test/resources/nvidia-h100, see the README there), for tests. */
public final class NvidiaVectors {

    /** The request nonce of the genuine report. */
    public static final String NONCE_HEX = "931d8dd0add203ac3d8b4fbde75e115278eefcdceac5b87671a748f32364dfcb";

    private NvidiaVectors() {
    }

    /** @return the resource's bytes */
    public static byte[] bytes(String name) {
        try (InputStream in = NvidiaVectors.class.getResourceAsStream("/nvidia-h100/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource nvidia-h100/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the genuine 4117-byte report */
    public static byte[] report() {
        return bytes("hopperAttestationReport.bin");
    }

    /** @return the genuine chain's PEM text */
    public static String chainPem() {
        return new String(bytes("hopperCertChain.txt"), StandardCharsets.US_ASCII);
    }

    /** @return the genuine 5-certificate chain, leaf first */
    public static List<X509Certificate> chain() {
        return X509Authority.certificatesFromPem(chainPem());
    }

    /** @return the chain's DER encodings, leaf first */
    public static List<byte[]> chainDer() {
        return chain().stream().map(X509Authority::toDer).toList();
    }

    /** @return NVIDIA Device Identity CA, verifier_device_root.pem */
    public static X509Certificate root() {
        return X509Authority.certificatesFromPem(new String(bytes("verifier_device_root.pem"),
                StandardCharsets.US_ASCII)).get(0);
    }

    /** @return the genuine nonce */
    public static byte[] nonce() {
        return Hex.decode(NONCE_HEX);
    }
}
