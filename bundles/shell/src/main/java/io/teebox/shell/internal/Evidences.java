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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Evidence to and from files: the raw report, and its certificates as PEM beside it. X.509 certificates are
 * {@code CERTIFICATE} blocks; vendor-format certificates (for example SEV-format PEK, OCA and CEK certificates) are
 * {@code VENDOR CERTIFICATE} blocks holding their raw bytes.
 */
final class Evidences {

    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----(.*?)-----END \\1-----",
            Pattern.DOTALL);

    private Evidences() {
    }

    /** @return a sentence naming the files written */
    static String export(io.teebox.api.attestation.Evidence e, Path file) throws IOException {
        Files.write(file, e.report());
        StringBuilder pem = new StringBuilder();
        for (byte[] cert : e.certificates()) {
            String label = x509(cert) == null ? "VENDOR CERTIFICATE" : "CERTIFICATE";
            pem.append("-----BEGIN ").append(label).append("-----\n")
                    .append(Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert))
                    .append("\n-----END ").append(label).append("-----\n");
        }
        Path certs = Path.of(file + ".certs.pem");
        Files.writeString(certs, pem.toString());
        return "wrote " + file + " (" + e.report().length + " bytes) and " + certs + " (" + e.certificates().size()
                + " certificates, leaf first)";
    }

    private static X509Certificate x509(byte[] der) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException | RuntimeException e) {
            return null;
        }
    }

    /**
     * @return the certificates of a file: PEM blocks (X.509 or vendor format), one DER X.509 certificate, or else
     *         the whole file as one vendor-format certificate (for example an SEV-format {@code cek.cert})
     */
    static List<byte[]> certificates(Path file) {
        return certificates(file.toString(), Args.file("certificates", file.toString()));
    }

    /**
     * @param file the file's name, for messages
     * @param bytes its content
     * @return the certificates, as {@link #certificates(Path)} reads them
     * @throws IllegalArgumentException naming the file and the PEM block that is wrong
     */
    static List<byte[]> certificates(String file, byte[] bytes) {
        String text = new String(bytes, StandardCharsets.US_ASCII);
        if (text.contains("-----BEGIN ")) {
            List<byte[]> out = new ArrayList<>();
            Matcher m = PEM.matcher(text);
            while (m.find()) {
                byte[] cert;
                try {
                    cert = Base64.getMimeDecoder().decode(m.group(2).trim());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(file + ": PEM block " + (out.size() + 1) + " is not base64: "
                            + e.getMessage(), e);
                }
                if (cert.length == 0) {
                    throw new IllegalArgumentException(file + ": PEM block " + (out.size() + 1) + " ("
                            + m.group(1) + ") is empty");
                }
                if (m.group(1).equals("CERTIFICATE") && x509(cert) == null) {
                    throw new IllegalArgumentException(file + ": PEM block " + (out.size() + 1)
                            + " is not an X.509 certificate");
                }
                out.add(cert);
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException(file + " holds no complete PEM block");
            }
            return out;
        }
        if (bytes.length == 0) {
            throw new IllegalArgumentException(file + " is empty");
        }
        return List.of(bytes);
    }
}
