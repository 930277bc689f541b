package io.teebox.tpm.abi;

import java.util.ArrayList;
import java.util.List;

/**
 * TPML_PCR_SELECTION (Part 2, 10.9.7): a UINT32 count and that many TPMS_PCR_SELECTION, at most HASH_COUNT.
 *
 * @param pcrSelections the selections
 */
public record TpmlPcrSelection(List<TpmsPcrSelection> pcrSelections) {

    /** HASH_COUNT: the number of banks an implementation may have (SHA-1, SHA-256, SHA-384, SHA-512). */
    public static final int HASH_COUNT = 4;

    /**
     * Checks the count.
     *
     * @param pcrSelections the selections
     * @throws TpmException with TPM_RC_SIZE if more than HASH_COUNT
     */
    public TpmlPcrSelection {
        if (pcrSelections.size() > HASH_COUNT) {
            throw new TpmException(TpmRc.SIZE, "TPML_PCR_SELECTION.count is " + pcrSelections.size()
                    + ", expected at most " + HASH_COUNT);
        }
        pcrSelections = List.copyOf(pcrSelections);
    }

    /**
     * A list of selections.
     *
     * @param selections the selections
     * @return the list
     */
    public static TpmlPcrSelection of(TpmsPcrSelection... selections) {
        return new TpmlPcrSelection(List.of(selections));
    }

    /**
     * Parses one.
     *
     * @param in the reader
     * @return the list
     * @throws TpmException with TPM_RC_SIZE for a bad count, or an element's code
     */
    public static TpmlPcrSelection parse(TpmReader in) {
        int count = in.u32("TPML_PCR_SELECTION.count");
        if (count < 0 || count > HASH_COUNT) {
            throw new TpmException(TpmRc.SIZE, "TPML_PCR_SELECTION.count is " + Integer.toUnsignedString(count)
                    + ", expected at most " + HASH_COUNT);
        }
        List<TpmsPcrSelection> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(TpmsPcrSelection.parse(in));
        }
        return new TpmlPcrSelection(list);
    }

    /**
     * Writes it.
     *
     * @param out the writer
     */
    public void write(TpmWriter out) {
        out.u32(pcrSelections.size());
        for (TpmsPcrSelection s : pcrSelections) {
            s.write(out);
        }
    }

    /**
     * Marshals it.
     *
     * @return the bytes
     */
    public byte[] toBytes() {
        TpmWriter w = new TpmWriter();
        write(w);
        return w.toByteArray();
    }
}
