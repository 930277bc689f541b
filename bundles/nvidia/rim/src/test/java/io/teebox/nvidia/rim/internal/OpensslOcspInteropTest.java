package io.teebox.nvidia.rim.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import io.teebox.api.testing.ServletHost;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.x509.X509Authority;

/**
 * An independent OCSP client, {@code openssl ocsp}, asks the emulated responder over HTTP with a nonce about a GPU's
 * BROM certificate and NVIDIA's intermediates, trusting only the emulated device root: the answers verify
 * ("Response verify OK": the delegated responder, the signature, the nonce) and say good, then revoked after a
 * revocation. Fails, never skips, without openssl.
 */
public class OpensslOcspInteropTest {

    static ServletHost host;
    static NvidiaServicesImpl services;
    static Path dir;

    @BeforeClass
    public static void start() throws Exception {
        host = new ServletHost();
        services = new NvidiaServicesImpl(new MemoryKeeper(), null, host::baseUrl, Clock.systemUTC());
        host.serve("/nvidia/ocsp", services).start();
        dir = Files.createTempDirectory("openssl-ocsp");
    }

    @AfterClass
    public static void stop() throws Exception {
        host.close();
    }

    static Path pem(String name, X509Certificate c) throws IOException {
        return Files.writeString(dir.resolve(name + ".pem"), X509Authority.toPem(c));
    }

    static String ocsp(X509Certificate cert, X509Certificate issuer, X509Certificate root) throws Exception {
        List<String> cmd = List.of("openssl", "ocsp", "-sha384", "-issuer", pem("issuer", issuer).toString(),
                "-cert", pem("cert", cert).toString(), "-CAfile", pem("root", root).toString(), "-url",
                services.ocspUrl());
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("openssl is not installed (apt-get install openssl): " + e.getMessage(), e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("openssl ocsp did not finish", p.waitFor(60, TimeUnit.SECONDS));
        return String.join(" ", cmd) + " -> exit " + p.exitValue() + ":\n" + out;
    }

    @Test
    public void opensslVerifiesTheAnswersForTheDeviceChain() throws Exception {
        List<X509Certificate> chain = services.provision(EcKeys.generate("P-384").getPublic(),
                new BigInteger("41431D480FE5E87274", 16));
        for (int i = 0; i < chain.size() - 1; i++) {
            String out = ocsp(chain.get(i), chain.get(i + 1), services.deviceRoot());
            assertTrue(i + ": " + out, out.contains("Response verify OK"));
            assertTrue(i + ": " + out, out.contains("cert.pem: good"));
            // openssl sends a nonce and warns if the answer does not echo it
            assertEquals(i + ": " + out, false, out.contains("WARNING"));
        }
        services.revoke(chain.get(0).getSerialNumber());
        String revoked = ocsp(chain.get(0), chain.get(1), services.deviceRoot());
        assertTrue(revoked, revoked.contains("Response verify OK"));
        assertTrue(revoked, revoked.contains("cert.pem: revoked"));
    }

    @Test
    public void opensslVerifiesTheAnswerForTheRimSigner() throws Exception {
        List<X509Certificate> rim = services.pki().rimChain();
        String out = ocsp(rim.get(0), rim.get(1), services.rimRoot());
        assertTrue(out, out.contains("Response verify OK"));
        assertTrue(out, out.contains("cert.pem: good"));
        String wrongRoot = ocsp(rim.get(0), rim.get(1), services.deviceRoot());
        assertEquals(wrongRoot, false, wrongRoot.contains("Response verify OK"));
    }
}
