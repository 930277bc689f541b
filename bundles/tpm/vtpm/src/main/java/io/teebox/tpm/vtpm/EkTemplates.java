package io.teebox.tpm.vtpm;

import io.teebox.kit.hex.Hex;
import io.teebox.tpm.abi.Tpm2bDigest;
import io.teebox.tpm.abi.Tpm2bPublicKeyRsa;
import io.teebox.tpm.abi.TpmAlgId;
import io.teebox.tpm.abi.TpmEccCurve;
import io.teebox.tpm.abi.TpmsEccParms;
import io.teebox.tpm.abi.TpmsEccPoint;
import io.teebox.tpm.abi.TpmsRsaParms;
import io.teebox.tpm.abi.TpmtAsymScheme;
import io.teebox.tpm.abi.TpmtKdfScheme;
import io.teebox.tpm.abi.TpmtPublic;
import io.teebox.tpm.abi.TpmtSymDefObject;

/**
 * The default endorsement key templates of the TCG EK Credential Profile for TPM Family 2.0 (templates L-1, RSA
 * 2048, and L-2, ECC NIST P-256): a restricted decryption key with AES-128-CFB, fixedTPM, fixedParent,
 * sensitiveDataOrigin and adminWithPolicy, whose authPolicy is PolicySecret(TPM_RH_ENDORSEMENT), and an all-zero
 * unique field. TPM2_CreatePrimary on the endorsement hierarchy with one of them gives the EK.
 */
public final class EkTemplates {

    /** TPMA_OBJECT of the default EK templates. */
    public static final int ATTRIBUTES = TpmtPublic.FIXED_TPM | TpmtPublic.FIXED_PARENT
            | TpmtPublic.SENSITIVE_DATA_ORIGIN | TpmtPublic.ADMIN_WITH_POLICY | TpmtPublic.RESTRICTED
            | TpmtPublic.DECRYPT;

    /** PolicySecret(TPM_RH_ENDORSEMENT) with SHA-256: the default EK templates' authPolicy. */
    public static final String POLICY_SECRET_ENDORSEMENT =
            "837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa";

    private EkTemplates() {
    }

    /**
     * Template L-1: RSA 2048.
     *
     * @return the template, unique = 256 zero bytes
     */
    public static TpmtPublic rsa2048() {
        return new TpmtPublic(TpmAlgId.RSA, TpmAlgId.SHA256, ATTRIBUTES,
                new Tpm2bDigest(Hex.decode(POLICY_SECRET_ENDORSEMENT)),
                new TpmsRsaParms(TpmtSymDefObject.AES_128_CFB, TpmtAsymScheme.NULL, 2048, 0),
                new Tpm2bPublicKeyRsa(new byte[256]));
    }

    /**
     * Template L-2: ECC NIST P-256.
     *
     * @return the template, unique = two 32-byte zero coordinates
     */
    public static TpmtPublic eccP256() {
        return new TpmtPublic(TpmAlgId.ECC, TpmAlgId.SHA256, ATTRIBUTES,
                new Tpm2bDigest(Hex.decode(POLICY_SECRET_ENDORSEMENT)),
                new TpmsEccParms(TpmtSymDefObject.AES_128_CFB, TpmtAsymScheme.NULL, TpmEccCurve.NIST_P256,
                        TpmtKdfScheme.NULL),
                new TpmsEccPoint(new byte[32], new byte[32]));
    }
}
