package io.teebox.nvidia.h100.internal;

import java.math.BigInteger;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.x509.KeyUsageBit;
import io.teebox.kit.x509.X509Authority;
import io.teebox.nvidia.rim.NvidiaServices;
import io.teebox.nvidia.rim.RimContent;

/** NVIDIA's PKI made in the test (P-384, NVIDIA's names), and a RIM service that keeps what is published. */
final class TestNvidia implements NvidiaServices {

    static final java.time.Instant FROM = java.time.Instant.parse("2020-10-17T00:00:00Z");
    static final java.time.Instant TO = java.time.Instant.parse("9999-12-31T23:59:59Z");

    final X509Authority root = X509Authority.builder().subject("CN=NVIDIA Device Identity CA,O=NVIDIA")
            .validity(FROM, TO).keyPair(EcKeys.generate("P-384")).ca().selfSigned();
    final X509Authority identity = root.issue().subject("CN=NVIDIA GH100 Identity,O=NVIDIA Corporation")
            .validity(FROM, TO).keyPair(EcKeys.generate("P-384")).ca().build();
    final X509Authority ica = identity.issue().subject("CN=NVIDIA GH100 Provisioner ICA 1,O=NVIDIA Corporation,C=US")
            .validity(FROM, TO).keyPair(EcKeys.generate("P-384")).ca().build();
    final X509Authority rimRoot = X509Authority.builder().subject("CN=NVIDIA CoRIM signing Root CA,O=NVIDIA")
            .keyPair(EcKeys.generate("P-384")).ca().selfSigned();
    final Map<String, RimContent> published = new HashMap<>();
    private final Map<String, List<X509Certificate>> provisioned = new HashMap<>();
    final java.util.Set<BigInteger> revoked = new java.util.HashSet<>();

    @Override
    public synchronized List<X509Certificate> provision(PublicKey deviceIdentityKey, BigInteger serial) {
        String key = serial.toString(16) + java.util.Arrays.hashCode(deviceIdentityKey.getEncoded());
        return provisioned.computeIfAbsent(key, k -> {
            X509Certificate brom = ica.issue().subject("SERIALNUMBER=" + serial.toString(16).toUpperCase()
                    + ",C=US,O=NVIDIA Corporation,CN=GH100 A01 GSP BROM").publicKey(deviceIdentityKey).validity(FROM, TO)
                    .serial(serial).ca().keyUsage(KeyUsageBit.KEY_CERT_SIGN).subjectKeyId().buildCertificate();
            List<X509Certificate> out = new ArrayList<>();
            out.add(brom);
            out.add(ica.certificate());
            out.add(identity.certificate());
            out.add(root.certificate());
            return List.copyOf(out);
        });
    }

    @Override
    public X509Certificate deviceRoot() {
        return root.certificate();
    }

    @Override
    public X509Certificate rimRoot() {
        return rimRoot.certificate();
    }

    @Override
    public synchronized byte[] publish(RimContent rim) {
        published.put(rim.id(), rim);
        return ("<SoftwareIdentity tagId=\"" + rim.id() + "\"/>").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public String rimServiceUrl() {
        return "http://127.0.0.1:0/nvidia/rim";
    }

    /**
     * Revokes a certificate (the other engineer's NvidiaServices adds this; without {@code @Override} so the fixture
     * compiles against the contract with and without it).
     *
     * @param serial the serial number
     */
    public void revoke(BigInteger serial) {
        revoked.add(serial);
    }

    @Override
    public String ocspUrl() {
        return "http://127.0.0.1:0/nvidia/ocsp";
    }
}
