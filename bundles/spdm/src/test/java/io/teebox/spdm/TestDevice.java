package io.teebox.spdm;

import io.teebox.kit.crypto.Digests;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.x509.X509Authority;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A test responder identity: a 3-certificate P-384 chain (root, CA, device leaf) and four measurement blocks. */
final class TestDevice {

    final X509Authority root;
    final KeyPair leafKey;
    final List<byte[]> chainRootFirst;
    final List<MeasurementBlock> blocks = new ArrayList<>();
    final byte[] opaque = {1, 0, 4, 0, 't', 'e', 's', 't'};

    TestDevice() {
        Instant from = Instant.parse("2024-01-01T00:00:00Z");
        Instant to = Instant.parse("9999-12-31T23:59:59Z");
        root = X509Authority.builder().subject("CN=Test SPDM Root").keyPair(EcKeys.generate("P-384"))
                .serial(BigInteger.ONE).validity(from, to).signatureAlgorithm(X509Authority.ECDSA_SHA384).ca(2)
                .selfSigned();
        X509Authority ca = root.issue().subject("CN=Test SPDM CA").keyPair(EcKeys.generate("P-384"))
                .serial(BigInteger.TWO).validity(from, to).signatureAlgorithm(X509Authority.ECDSA_SHA384).ca(1)
                .build();
        leafKey = EcKeys.generate("P-384");
        X509Certificate leaf = ca.issue().subject("CN=Test SPDM Device").publicKey(leafKey.getPublic())
                .serial(BigInteger.TEN).validity(from, to).signatureAlgorithm(X509Authority.ECDSA_SHA384).endEntity()
                .buildCertificate();
        chainRootFirst = List.of(X509Authority.toDer(root.certificate()), X509Authority.toDer(ca.certificate()),
                X509Authority.toDer(leaf));
        for (int i = 1; i <= 4; i++) {
            blocks.add(new MeasurementBlock(i, 0x01, Digests.sha384(new byte[] {(byte) i})));
        }
    }

    Responder responder(int sequenceSize) {
        return new Responder(leafKey, chainRootFirst, () -> blocks, opaque, new SecureRandom(), sequenceSize);
    }

    Requester requester(Transport t, int sequenceSize) {
        return new Requester(t, new SecureRandom(), sequenceSize, List.of(root.certificate()), 256);
    }
}
