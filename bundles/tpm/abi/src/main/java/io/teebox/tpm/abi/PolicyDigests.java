package io.teebox.tpm.abi;

import java.util.List;

/** Policy digest arithmetic of the policy commands (Part 3, 23). */
public final class PolicyDigests {

    private PolicyDigests() {
    }

    /**
     * The starting policyDigest of a session: all zeros of the hash's size.
     *
     * @param hash the session's hash
     * @return the zero digest
     */
    public static byte[] initial(TpmAlgId hash) {
        return new byte[hash.digestSize()];
    }

    /**
     * The digest TPM2_PolicyPCR checks: H_policy(PCR values in selection order, banks in list order).
     *
     * @param policyHash the session's hash
     * @param values the selected PCR values in that order
     * @return the digest
     */
    public static byte[] pcrDigest(TpmAlgId policyHash, List<byte[]> values) {
        return policyHash.hash(values.toArray(new byte[0][]));
    }

    /**
     * TPM2_PolicyPCR's update: policyDigest_new = H(policyDigest_old || TPM_CC_PolicyPCR || pcrs || pcrDigest).
     *
     * @param policyHash the session's hash
     * @param oldDigest the current policyDigest
     * @param pcrs the selection
     * @param pcrDigest the digest of the selected PCR values ({@link #pcrDigest})
     * @return the new policyDigest
     */
    public static byte[] policyPcr(TpmAlgId policyHash, byte[] oldDigest, TpmlPcrSelection pcrs, byte[] pcrDigest) {
        byte[] cc = new TpmWriter().u32(TpmCc.PolicyPCR.value()).toByteArray();
        return policyHash.hash(oldDigest, cc, pcrs.toBytes(), pcrDigest);
    }
}
