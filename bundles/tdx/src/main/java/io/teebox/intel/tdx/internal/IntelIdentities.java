package io.teebox.intel.tdx.internal;

import io.teebox.kit.crypto.Digests;
import java.nio.charset.StandardCharsets;

/**
 * The identities the emulated Intel PCS publishes and the emulated platform reports: the TD quoting enclave's
 * MRSIGNER, product id and attributes, and the TDX module's MRSIGNERSEAM. They are teebox's own values, not
 * Intel's, so a quote from teebox can never pass for a genuine Intel quote.
 */
final class IntelIdentities {

    /** QE_IDENTITY id of the TD quoting enclave. */
    static final String QE_ID = "TD_QE";
    /** The TD QE's ISVPRODID (Intel's TD QE uses 2). */
    static final int QE_ISVPRODID = 2;
    /** The TD QE's MRSIGNER: SHA-256 of a teebox label. */
    static final byte[] QE_MRSIGNER = Digests.sha256("teebox emulated TD quoting enclave signer"
            .getBytes(StandardCharsets.US_ASCII));
    /** The TD QE's MRENCLAVE. */
    static final byte[] QE_MRENCLAVE = Digests.sha256("teebox emulated TD quoting enclave"
            .getBytes(StandardCharsets.US_ASCII));
    /** QE ATTRIBUTES.FLAGS: INIT | MODE64BIT, not DEBUG. */
    static final long QE_FLAGS = 0x11;
    /** QE ATTRIBUTES.XFRM. */
    static final long QE_XFRM = 0xE7;
    /** QE identity attributes and mask, as Intel publishes them for its TD QE. */
    static final String QE_ATTRIBUTES = "11000000000000000000000000000000";
    /** The mask applied to the QE's ATTRIBUTES (every flag but bit 2, no XFRM bits). */
    static final String QE_ATTRIBUTES_MASK = "FBFFFFFFFFFFFFFF0000000000000000";
    /** MRSIGNERSEAM: zero for Intel-signed TDX modules. */
    static final byte[] MRSIGNERSEAM = new byte[48];
    /** The SEAM module's ATTRIBUTES. */
    static final long SEAM_ATTRIBUTES = 0;
    /** PCE id. */
    static final byte[] PCE_ID = {0, 0};

    private IntelIdentities() {
    }

    /**
     * @param version the module version, for example {@code "1.5.06"}
     * @return MRSEAM of the emulated module of that version: SHA-384 of a teebox label
     */
    static byte[] mrSeam(String version) {
        return Digests.sha384(("teebox emulated TDX module " + version).getBytes(StandardCharsets.US_ASCII));
    }
}
