package io.teebox.intel.tdx;

/** Names shared by the TDX backend, its guest owner and its verifier. */
public final class Tdx {

    /** The backend's {@code tee.type}. */
    public static final String TEE_TYPE = "tdx";
    /** The evidence format: a DCAP Quote v4 for a TD. */
    public static final String EVIDENCE_FORMAT = "tdx-quote-v4";
    /** The measurement format of TDH.MR.FINALIZE: the 48-byte MRTD. */
    public static final String MEASUREMENT_FORMAT = "tdx-mrtd";
    /** The owner parameter carrying TD_PARAMS (1024 bytes) for TDH.MNG.INIT. */
    public static final String OWNER_TD_PARAMS = "td-params";
    /** The evidence attachment carrying the TD's CCEL event log. */
    public static final String ATTACHMENT_EVENT_LOG = "event_log";
    /**
     * The evidence attachment carrying DCAP collateral as JSON (the field names of DCAP-QVL's {@code
     * QuoteCollateralV3}: pck_crl_issuer_chain, root_ca_crl, pck_crl, tcb_info_issuer_chain, tcb_info,
     * tcb_info_signature, qe_identity_issuer_chain, qe_identity, qe_identity_signature; CRLs and signatures in hex).
     */
    public static final String ATTACHMENT_COLLATERAL = "collateral";
    /** The key-slot name: a private HKID (TME-MK KeyID). */
    public static final String KEY_SLOT = "HKID";

    private Tdx() {
    }
}
