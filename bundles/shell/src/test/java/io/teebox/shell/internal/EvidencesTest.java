package io.teebox.shell.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.teebox.api.attestation.Evidence;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.x509.X509Authority;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Evidence files: X.509 and vendor-format certificates survive export and import; bad files are named. */
public class EvidencesTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @Test
    public void x509AndVendorCertificatesRoundTripThroughThePemFile() throws Exception {
        byte[] x509 = X509Authority.toDer(X509Authority.builder().subject("CN=test root")
                .keyPair(EcKeys.generate("P-256")).validity(Instant.parse("2026-01-01T00:00:00Z"),
                        Instant.parse("2036-01-01T00:00:00Z")).ca(0).selfSigned().certificate());
        byte[] vendor = new byte[0x824];
        vendor[0] = 1;
        vendor[0x100] = 0x30;
        Path report = tmp.getRoot().toPath().resolve("report.bin");
        String said = Evidences.export(new Evidence("x", new byte[] {1, 2, 3}, List.of(vendor, x509), Map.of()),
                report);
        assertTrue(said, said.contains("2 certificates"));
        String pem = Files.readString(Path.of(report + ".certs.pem"));
        assertTrue(pem, pem.startsWith("-----BEGIN VENDOR CERTIFICATE-----"));
        assertTrue(pem, pem.contains("-----BEGIN CERTIFICATE-----"));
        List<byte[]> back = Evidences.certificates(Path.of(report + ".certs.pem"));
        assertEquals(2, back.size());
        assertArrayEquals(vendor, back.get(0));
        assertArrayEquals(x509, back.get(1));

        Path raw = tmp.getRoot().toPath().resolve("cek.cert");
        Files.write(raw, vendor);
        assertArrayEquals(vendor, Evidences.certificates(raw).get(0));
        Path der = tmp.getRoot().toPath().resolve("root.der");
        Files.write(der, x509);
        assertArrayEquals(x509, Evidences.certificates(der).get(0));
    }

    @Test
    public void brokenFilesAreNamed() throws Exception {
        Path bad = tmp.getRoot().toPath().resolve("bad.pem");
        Files.writeString(bad, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Evidences.certificates(bad)).getMessage()
                .contains("is not an X.509 certificate"));
        Files.writeString(bad, "-----BEGIN CERTIFICATE-----\nAAAA\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Evidences.certificates(bad)).getMessage()
                .contains("no complete PEM block"));
        Path empty = tmp.getRoot().toPath().resolve("empty");
        Files.write(empty, new byte[0]);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Evidences.certificates(empty)).getMessage()
                .contains("is empty"));
    }

    @Test
    public void anEmptyPemBlockIsNamed() {
        for (String pem : new String[] {"-----BEGIN VENDOR CERTIFICATE-----\n-----END VENDOR CERTIFICATE-----\n",
            "-----BEGIN X-----  \n \n-----END X-----"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Evidences.certificates("certs.pem", pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            assertTrue(e.getMessage(), e.getMessage().contains("certs.pem: PEM block 1") && e.getMessage()
                    .contains("is empty"));
        }
    }
}
