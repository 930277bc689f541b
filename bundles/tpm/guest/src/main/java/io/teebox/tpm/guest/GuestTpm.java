package io.teebox.tpm.guest;

import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.SortedMap;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One guest's vTPM. Its whole state (seeds, PCRs, NV, keys, the firmware's event log) is read from and written back
 * to the guest's private pages at {@link #stateAddress()} around every command: the host sees ciphertext, and the
 * state survives whatever the guest's memory survives (a backend swap). Calls are serialized per guest.
 */
@ProviderType
public interface GuestTpm {

    /** NV index of the RSA EK certificate (TCG EK Credential Profile). */
    int EK_CERT_INDEX = 0x01C00002;
    /** Size of the state area, below the top 256 KiB of guest memory (a GPU's bounce buffer). */
    int STATE_SIZE = 256 * 1024;

    /** @return the guest's name */
    String guest();

    /** @return the guest physical address of the pages that hold the vTPM's state */
    long stateAddress();

    /**
     * @param command a whole TPM 2.0 command
     * @return the whole response (failures carry their TPM_RC)
     */
    byte[] execute(byte[] command);

    /** The guest restarts: _TPM_Init and TPM2_Startup(CLEAR); PCRs reset, keys and NV kept. */
    void reboot();

    /**
     * @param bank {@code sha256} or {@code sha384}
     * @return PCR 0..23 of the bank
     * @throws IllegalArgumentException for another bank
     */
    SortedMap<Integer, byte[]> pcrs(String bank);

    /**
     * TPM2_PCR_Extend; on TDX the RTMR that UEFI's CC measurement protocol maps the PCR to is extended too.
     *
     * @param pcr 0..23
     * @param digests bank name to digest
     */
    void extend(int pcr, Map<String, byte[]> digests);

    /** @return the EK's TPMT_PUBLIC */
    byte[] ekPublic();

    /** @return the AK's TPMT_PUBLIC (RSA-2048, restricted signing, RSASSA SHA-256) */
    byte[] akPublic();

    /** @return the decryption key's TPMT_PUBLIC (RSA-2048, OAEP SHA-256), whose private part never leaves */
    byte[] encryptionKeyPublic();

    /** @return the EK certificate read from NV index {@value #EK_CERT_INDEX} */
    X509Certificate ekCertificate();

    /**
     * A quote.
     *
     * @param attest TPMS_ATTEST
     * @param signature TPMT_SIGNATURE
     * @param pcrValues the quoted SHA-256 PCRs
     */
    record Quote(byte[] attest, byte[] signature, SortedMap<Integer, byte[]> pcrValues) {
    }

    /**
     * TPM2_Quote with the AK over SHA-256 PCRs.
     *
     * @param pcrs the PCRs
     * @param qualifyingData at most 64 bytes, in TPMS_ATTEST.extraData
     * @return the quote
     */
    Quote quote(int[] pcrs, byte[] qualifyingData);

    /**
     * Seals a secret under the storage key with a PolicyPCR policy over the PCRs' current SHA-256 values.
     *
     * @param secret at most 128 bytes
     * @param pcrs the PCRs
     * @return TPM2B_PRIVATE || TPM2B_PUBLIC, as systemd-cryptenroll's tpm2-blob
     */
    byte[] seal(byte[] secret, int[] pcrs);

    /**
     * @param blob what {@link #seal} returned
     * @param pcrs the PCRs it was sealed to
     * @return the secret
     * @throws io.teebox.tpm.abi.TpmException TPM_RC_POLICY_FAIL when the PCRs differ, an integrity or size code for
     *         a blob of another TPM
     */
    byte[] unseal(byte[] blob, int[] pcrs);

    /**
     * TPM2_RSA_Decrypt with the decryption key (OAEP SHA-256, empty label).
     *
     * @param ciphertext the RSA ciphertext
     * @return the plaintext
     */
    byte[] decrypt(byte[] ciphertext);

    /**
     * @return the HCL-style runtime claims (JSON): {@code keys} with the AK ({@code HCLAkPub}) and the decryption key
     *         ({@code HCLEkPub}) as RSA JWKs, {@code vm-configuration}, {@code user-data}; the hardware report's
     *         REPORT_DATA is their SHA-256
     */
    byte[] runtimeClaims();

    /**
     * The vTPM's evidence in format {@value #EVIDENCE_FORMAT}: the hardware evidence made at the most privileged
     * level (SNP VMPL0) with REPORT_DATA = SHA-256(runtime claims), the runtime claims, a quote of the PCRs whose
     * qualifying data is the nonce, the event log.
     *
     * @param nonce the qualifying data
     * @param pcrs the PCRs to quote
     * @return the evidence, JSON
     */
    byte[] evidence(byte[] nonce, int[] pcrs);

    /** The evidence format of {@link #evidence}. */
    String EVIDENCE_FORMAT = "hcl-vtpm";

    /** @param log the firmware's TCG event log, kept with the state */
    void eventLog(byte[] log);

    /** @return the event log the firmware handed over, or none */
    byte[] eventLog();
}
