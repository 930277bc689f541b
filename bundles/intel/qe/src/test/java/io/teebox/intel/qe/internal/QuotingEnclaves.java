package io.teebox.intel.qe.internal;

import io.teebox.intel.qe.TdQuotingEnclave;
import java.security.PrivateKey;

/** The attestation key of a test platform's quoting enclave, for tests that sign as it would (this test-jar). */
public final class QuotingEnclaves {

    private QuotingEnclaves() {
    }

    /**
     * @param qe a quoting enclave of this bundle
     * @return the private half of its attestation key
     */
    public static PrivateKey attestationKey(TdQuotingEnclave qe) {
        return ((QuotingEnclave) qe).attestationKey().getPrivate();
    }
}
