package io.teebox.tpm.guest.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.util.Map;
import java.util.Optional;

import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;

import org.junit.Test;

import io.teebox.api.guest.GuestContext;
import io.teebox.api.guest.RuntimeMeasurements;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.GuestInfo;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.platform.PlatformState;
import io.teebox.tpm.abi.TpmException;
import io.teebox.tpm.abi.TpmRc;
import io.teebox.tpm.abi.TpmsAttest;
import io.teebox.tpm.abi.TpmtPublic;
import io.teebox.tpm.abi.TpmtSignature;
import io.teebox.tpm.guest.GuestTpm;

/**
 * The vTPM over a guest memory held in a byte array (a test double of the hypervisor's guest context; the real
 * guests are in the Pax Exam tests): its state is in those bytes, and a new service over the same bytes finds the
 * same vTPM.
 */
public class GuestTpmTest {

    static final long MEMORY = 4L << 20;

    /** A guest memory and the hypervisor's two calls this bundle makes. */
    static final class Guest {
        final byte[] memory = new byte[(int) MEMORY];
        final String name;

        Guest(String name) {
            this.name = name;
        }

        GuestContext context() {
            return (GuestContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {
                GuestContext.class}, (p, m, a) -> switch (m.getName()) {
                    case "read" -> java.util.Arrays.copyOfRange(memory, (int) (long) a[0], (int) (long) a[0]
                            + (int) a[1]);
                    case "write" -> {
                        byte[] d = (byte[]) a[1];
                        System.arraycopy(d, 0, memory, (int) (long) a[0], d.length);
                        yield null;
                    }
                    case "accept" -> 0L;
                    case "extension" -> Optional.empty();
                    case "measurements" -> RuntimeMeasurements.NONE;
                    case "guest" -> name;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        }

        Hypervisor hypervisor() {
            GuestInfo info = new GuestInfo(name, new GuestConfig(name, "sev-snp", 1, "EPYC-Milan", MEMORY), null, 1,
                    null, 0, 0, "");
            return (Hypervisor) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {
                Hypervisor.class}, (p, m, a) -> switch (m.getName()) {
                    case "context" -> context();
                    case "guest" -> info;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        }
    }

    static PlatformState state() {
        return (PlatformState) Proxy.newProxyInstance(GuestTpmTest.class.getClassLoader(), new Class<?>[] {
            PlatformState.class}, (p, m, a) -> switch (m.getName()) {
                case "secret" -> new byte[(int) a[2]];
                default -> throw new UnsupportedOperationException(m.getName());
            });
    }

    @Test
    public void theStateLivesInTheGuestsPagesAndIsFoundThereAgain() {
        Guest g = new Guest("g1");
        GuestTpm tpm = new GuestTpmService(g.hypervisor(), state()).of("g1");
        byte[] d = new byte[32];
        d[0] = 1;
        tpm.extend(16, Map.of("sha256", d));
        byte[] pcr16 = tpm.pcrs("sha256").get(16);
        assertFalse(java.util.Arrays.equals(new byte[32], pcr16));
        // a new service (the bundle restarted, the backend swapped) over the same memory
        GuestTpm again = new GuestTpmService(g.hypervisor(), state()).find("g1").orElseThrow();
        assertArrayEquals(pcr16, again.pcrs("sha256").get(16));
        assertArrayEquals(tpm.akPublic(), again.akPublic());
        again.reboot();
        assertArrayEquals(new byte[32], again.pcrs("sha256").get(16));
        assertArrayEquals(tpm.akPublic(), again.akPublic());
    }

    @Test
    public void theQuoteVerifiesWithTheAkAndCarriesTheNonce() {
        Guest g = new Guest("g2");
        GuestTpm tpm = new GuestTpmService(g.hypervisor(), state()).of("g2");
        byte[] nonce = "fresh".getBytes(StandardCharsets.US_ASCII);
        GuestTpm.Quote q = tpm.quote(new int[] {7, 0}, nonce);
        TpmsAttest a = TpmsAttest.fromBytes(q.attest());
        assertArrayEquals(nonce, a.extraData().buffer());
        TpmtSignature sig = TpmtSignature.fromBytes(q.signature());
        assertTrue(sig.verify(TpmtPublic.fromBytes(tpm.akPublic()).publicKey(), q.attest()));
        assertEquals(2, q.pcrValues().size());
    }

    @Test
    public void aSealedSecretUnsealsOnlyWhileThePcrsMatchAndOnlyInItsOwnVtpm() {
        Guest g = new Guest("g3");
        GuestTpmService service = new GuestTpmService(g.hypervisor(), state());
        GuestTpm tpm = service.of("g3");
        byte[] blob = tpm.seal("root key".getBytes(StandardCharsets.US_ASCII), new int[] {7, 9});
        assertArrayEquals("root key".getBytes(StandardCharsets.US_ASCII), tpm.unseal(blob, new int[] {7, 9}));
        byte[] d = new byte[32];
        tpm.extend(9, Map.of("sha256", d));
        try {
            tpm.unseal(blob, new int[] {7, 9});
            fail("unsealed after PCR 9 changed");
        } catch (TpmException e) {
            assertEquals(TpmRc.POLICY_FAIL, e.rc());
            assertTrue(e.getMessage(), e.getMessage().contains("TPM_RC_POLICY_FAIL"));
        }
        Guest other = new Guest("g4");
        GuestTpm otherTpm = new GuestTpmService(other.hypervisor(), state()).of("g4");
        try {
            otherTpm.unseal(blob, new int[] {7, 9});
            fail("another vTPM unsealed the blob");
        } catch (TpmException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("TPM2_Load"));
        }
    }

    @Test
    public void theDecryptionKeyOpensWhatTheJdkWrappedToIt() throws Exception {
        Guest g = new Guest("g5");
        GuestTpm tpm = new GuestTpmService(g.hypervisor(), state()).of("g5");
        RSAPublicKey k = (RSAPublicKey) TpmtPublic.fromBytes(tpm.encryptionKeyPublic()).publicKey();
        Cipher c = Cipher.getInstance("RSA/ECB/OAEPPadding");
        c.init(Cipher.ENCRYPT_MODE, k, new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256,
                PSource.PSpecified.DEFAULT));
        byte[] ct = c.doFinal("content key".getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals("content key".getBytes(StandardCharsets.US_ASCII), tpm.decrypt(ct));
        ct[10] ^= 1;
        try {
            tpm.decrypt(ct);
            fail("a tampered ciphertext decrypted");
        } catch (TpmException e) {
            assertEquals(TpmRc.VALUE, e.rc());
        }
    }

    @Test
    public void theEkCertificateChainsToTheCa() throws Exception {
        Guest g = new Guest("g6");
        GuestTpmService s = new GuestTpmService(g.hypervisor(), state());
        GuestTpm tpm = s.of("g6");
        tpm.ekCertificate().verify(s.caCertificate().getPublicKey());
        assertEquals(TpmtPublic.fromBytes(tpm.ekPublic()).publicKey(), tpm.ekCertificate().getPublicKey());
        assertTrue(tpm.ekCertificate().getExtendedKeyUsage().contains("2.23.133.8.1"));
    }

    @Test
    public void theStateIsNotInClearOnlyBecauseTheGuestKeyEncryptsIt() {
        // in this double the guest's memory is plaintext: the Pax Exam test checks the host's view is ciphertext
        Guest g = new Guest("g7");
        GuestTpm tpm = new GuestTpmService(g.hypervisor(), state()).of("g7");
        byte[] at = java.util.Arrays.copyOfRange(g.memory, (int) tpm.stateAddress(), (int) tpm.stateAddress() + 8);
        assertArrayEquals(VtpmState.MAGIC, at);
    }
}
