package io.teebox.tpm.abi;

import java.util.ArrayList;
import java.util.List;

/**
 * TPML_DIGEST_VALUES (Part 2, 10.9.9): a UINT32 count and that many TPMT_HA, at most HASH_COUNT (TPM2_PCR_Extend's
 * digests, one per bank).
 *
 * @param digests the digests
 */
public record TpmlDigestValues(List<TpmtHa> digests) {

    /**
     * Checks the count.
     *
     * @throws TpmException with TPM_RC_SIZE if more than HASH_COUNT
     */
    public TpmlDigestValues {
        if (digests.size() > TpmlPcrSelection.HASH_COUNT) {
            throw new TpmException(TpmRc.SIZE, "TPML_DIGEST_VALUES.count is " + digests.size() + ", expected at most "
                    + TpmlPcrSelection.HASH_COUNT);
        }
        digests = List.copyOf(digests);
    }

    /**
     * Parses one.
     *
     * @param in the reader
     * @return the list
     * @throws TpmException with TPM_RC_SIZE for a bad count, or an element's code
     */
    public static TpmlDigestValues parse(TpmReader in) {
        int count = in.u32("TPML_DIGEST_VALUES.count");
        if (count < 0 || count > TpmlPcrSelection.HASH_COUNT) {
            throw new TpmException(TpmRc.SIZE, "TPML_DIGEST_VALUES.count is " + Integer.toUnsignedString(count)
                    + ", expected at most " + TpmlPcrSelection.HASH_COUNT);
        }
        List<TpmtHa> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(TpmtHa.parse(in));
        }
        return new TpmlDigestValues(list);
    }

    /**
     * Writes it.
     *
     * @param out the writer
     */
    public void write(TpmWriter out) {
        out.u32(digests.size());
        for (TpmtHa d : digests) {
            d.write(out);
        }
    }
}
