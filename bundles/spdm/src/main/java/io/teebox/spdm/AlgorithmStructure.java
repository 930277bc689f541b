package io.teebox.spdm;

import java.util.List;

/**
 * One AlgStructure of NEGOTIATE_ALGORITHMS / ALGORITHMS: AlgType u8, AlgCount u8 (bits 7:4 = 2, the bytes of
 * AlgSupported; bits 3:0 = the number of external algorithms), AlgSupported u16, AlgExternal (4 bytes each).
 *
 * @param type AlgType ({@link Spdm#ALG_TYPE_DHE} ...)
 * @param supported AlgSupported bits (in ALGORITHMS: the one selected)
 * @param external the AlgExternal entries
 */
public record AlgorithmStructure(int type, int supported, List<Integer> external) {

    /** Copies the list. */
    public AlgorithmStructure {
        external = List.copyOf(external);
        if (external.size() > 15) {
            throw new IllegalArgumentException("AlgExternal has " + external.size() + " entries, at most 15 fit");
        }
    }

    /**
     * A structure without external algorithms.
     *
     * @param type AlgType
     * @param supported AlgSupported
     * @return the structure
     */
    public static AlgorithmStructure of(int type, int supported) {
        return new AlgorithmStructure(type, supported, List.of());
    }
}
