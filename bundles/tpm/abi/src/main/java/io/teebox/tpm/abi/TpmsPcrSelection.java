package io.teebox.tpm.abi;

import java.util.ArrayList;
import java.util.List;

/**
 * TPMS_PCR_SELECTION (Part 2, 10.6.2): a hash bank, sizeofSelect and a bitmap where bit i of byte j selects PCR
 * 8j + i.
 *
 * @param hash the bank
 * @param pcrSelect the bitmap, 1 to 4 bytes
 */
public record TpmsPcrSelection(TpmAlgId hash, byte[] pcrSelect) {

    /** PCR_SELECT_MAX for 32 PCRs. */
    public static final int PCR_SELECT_MAX = 4;

    /**
     * Checks the bitmap size.
     *
     * @param hash the bank
     * @param pcrSelect the bitmap
     * @throws TpmException with TPM_RC_VALUE if the bitmap is longer than 4 bytes
     */
    public TpmsPcrSelection {
        if (pcrSelect.length > PCR_SELECT_MAX) {
            throw new TpmException(TpmRc.VALUE, "TPMS_PCR_SELECTION.sizeofSelect is " + pcrSelect.length
                    + ", expected at most " + PCR_SELECT_MAX);
        }
        pcrSelect = pcrSelect.clone();
    }

    /**
     * A 3-byte selection of the given PCRs.
     *
     * @param hash the bank
     * @param pcrs PCR indices 0 to 23
     * @return the selection
     * @throws TpmException with TPM_RC_VALUE if an index is out of range
     */
    public static TpmsPcrSelection of(TpmAlgId hash, int... pcrs) {
        byte[] sel = new byte[3];
        for (int p : pcrs) {
            if (p < 0 || p >= 24) {
                throw new TpmException(TpmRc.VALUE, "PCR index is " + p + ", expected 0 to 23");
            }
            sel[p / 8] |= (byte) (1 << (p % 8));
        }
        return new TpmsPcrSelection(hash, sel);
    }

    /**
     * The selected PCR indices in ascending order.
     *
     * @return the indices
     */
    public List<Integer> pcrs() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < pcrSelect.length * 8; i++) {
            if ((pcrSelect[i / 8] >> (i % 8) & 1) != 0) {
                out.add(i);
            }
        }
        return out;
    }

    /**
     * Parses one.
     *
     * @param in the reader
     * @return the selection
     * @throws TpmException with TPM_RC_HASH for a bad bank, TPM_RC_VALUE for a bad size
     */
    public static TpmsPcrSelection parse(TpmReader in) {
        TpmAlgId hash = TpmAlgId.hashFromValue(in.u16("TPMS_PCR_SELECTION.hash"), false);
        int size = in.u8("TPMS_PCR_SELECTION.sizeofSelect");
        if (size > PCR_SELECT_MAX) {
            throw new TpmException(TpmRc.VALUE, "TPMS_PCR_SELECTION.sizeofSelect is " + size + ", expected at most "
                    + PCR_SELECT_MAX);
        }
        return new TpmsPcrSelection(hash, in.bytes(size, "TPMS_PCR_SELECTION.pcrSelect"));
    }

    /**
     * Writes it.
     *
     * @param out the writer
     */
    public void write(TpmWriter out) {
        out.u16(hash.value()).u8(pcrSelect.length).bytes(pcrSelect);
    }

    @Override
    public byte[] pcrSelect() {
        return pcrSelect.clone();
    }
}
