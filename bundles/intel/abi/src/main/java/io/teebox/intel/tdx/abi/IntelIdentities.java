package io.teebox.intel.tdx.abi;

import io.teebox.kit.crypto.Digests;
import java.nio.charset.StandardCharsets;

/**
 * The identities the emulated Intel PCS publishes and the emulated platform reports: the TD quoting enclave's
 * MRSIGNER, product id and attributes, and the TDX module's MRSIGNERSEAM. They are teebox's own values, not
 * Intel's, so a quote from teebox can never pass for a genuine Intel quote.
 */
public final class IntelIdentities {

    /** QE_IDENTITY id of the TD quoting enclave. */
    public static final String QE_ID = "TD_QE";
    /** The TD QE's ISVPRODID (Intel's TD QE uses 2). */
    public static final int QE_ISVPRODID = 2;
    /** The TD QE's MRSIGNER: SHA-256 of a teebox label. */
    private static final byte[] QE_MRSIGNER = Digests.sha256("teebox emulated TD quoting enclave signer"
            .getBytes(StandardCharsets.US_ASCII));
    /** The TD QE's MRENCLAVE. */
    private static final byte[] QE_MRENCLAVE = Digests.sha256("teebox emulated TD quoting enclave"
            .getBytes(StandardCharsets.US_ASCII));
    /** QE ATTRIBUTES.FLAGS: INIT | MODE64BIT, not DEBUG. */
    public static final long QE_FLAGS = 0x11;
    /** QE ATTRIBUTES.XFRM. */
    public static final long QE_XFRM = 0xE7;
    /** QE identity attributes and mask, as Intel publishes them for its TD QE. */
    public static final String QE_ATTRIBUTES = "11000000000000000000000000000000";
    /** The mask applied to the QE's ATTRIBUTES (every flag but bit 2, no XFRM bits). */
    public static final String QE_ATTRIBUTES_MASK = "FBFFFFFFFFFFFFFF0000000000000000";
    /** MRSIGNERSEAM: zero for Intel-signed TDX modules. */
    private static final byte[] MRSIGNERSEAM = new byte[48];
    /** The SEAM module's ATTRIBUTES. */
    public static final long SEAM_ATTRIBUTES = 0;
    /** PCE id. */
    private static final byte[] PCE_ID = {0, 0};

    /** @return a copy of QE_MRSIGNER */
    public static byte[] qeMrSigner() {
        return QE_MRSIGNER.clone();
    }

    /** @return a copy of QE_MRENCLAVE */
    public static byte[] qeMrEnclave() {
        return QE_MRENCLAVE.clone();
    }

    /** @return a copy of MRSIGNERSEAM */
    public static byte[] mrSignerSeam() {
        return MRSIGNERSEAM.clone();
    }

    /** @return a copy of PCE_ID */
    public static byte[] pceId() {
        return PCE_ID.clone();
    }

    private IntelIdentities() {
    }

    /**
     * @param version the module version, for example {@code "1.5.06"}
     * @return MRSEAM of the emulated module of that version: SHA-384 of a teebox label
     */
    public static byte[] mrSeam(String version) {
        return Digests.sha384(("teebox emulated TDX module " + version).getBytes(StandardCharsets.US_ASCII));
    }
}
