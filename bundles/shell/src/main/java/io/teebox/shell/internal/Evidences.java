package io.teebox.shell.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Evidence to and from files: the raw report, and its X.509 chain as PEM beside it. */
final class Evidences {

    private Evidences() {
    }

    /** @return a sentence naming the files written */
    static String export(io.teebox.api.attestation.Evidence e, Path file) throws IOException {
        Files.write(file, e.report());
        StringBuilder pem = new StringBuilder();
        for (byte[] der : e.certificates()) {
            pem.append("-----BEGIN CERTIFICATE-----\n")
                    .append(Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der))
                    .append("\n-----END CERTIFICATE-----\n");
        }
        Path certs = Path.of(file + ".certs.pem");
        Files.writeString(certs, pem.toString());
        return "wrote " + file + " (" + e.report().length + " bytes) and " + certs + " (" + e.certificates().size()
                + " certificates, leaf first)";
    }

    /** @return DER certificates read from a PEM or DER file */
    static List<byte[]> certificates(Path file) {
        byte[] bytes = Args.file("certificates", file.toString());
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            List<byte[]> out = new ArrayList<>();
            for (var c : cf.generateCertificates(new ByteArrayInputStream(bytes))) {
                out.add(((X509Certificate) c).getEncoded());
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException(file + " holds no certificate");
            }
            return out;
        } catch (CertificateException e) {
            throw new IllegalArgumentException(file + " is not a PEM or DER certificate file: " + e.getMessage(), e);
        }
    }
}
