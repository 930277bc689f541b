package io.teebox.tpm.abi;

import java.util.ArrayList;
import java.util.List;

/**
 * TPML_DIGEST (Part 2, 10.9.2): a UINT32 count and up to eight TPM2B_DIGEST (TPM2_PCR_Read's values, TPM2_PolicyOR's
 * branches).
 *
 * @param digests the digests
 */
public record TpmlDigest(List<Tpm2bDigest> digests) {

    /** The largest count. */
    public static final int MAX_COUNT = 8;

    /**
     * Checks the count.
     *
     * @throws TpmException with TPM_RC_SIZE if more than eight
     */
    public TpmlDigest {
        if (digests.size() > MAX_COUNT) {
            throw new TpmException(TpmRc.SIZE, "TPML_DIGEST.count is " + digests.size() + ", expected at most "
                    + MAX_COUNT);
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
    public static TpmlDigest parse(TpmReader in) {
        int count = in.u32("TPML_DIGEST.count");
        if (count < 0 || count > MAX_COUNT) {
            throw new TpmException(TpmRc.SIZE, "TPML_DIGEST.count is " + Integer.toUnsignedString(count)
                    + ", expected at most " + MAX_COUNT);
        }
        List<Tpm2bDigest> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(Tpm2bDigest.parse(in));
        }
        return new TpmlDigest(list);
    }

    /**
     * Writes it.
     *
     * @param out the writer
     */
    public void write(TpmWriter out) {
        out.u32(digests.size());
        for (Tpm2bDigest d : digests) {
            d.write(out);
        }
    }
}
