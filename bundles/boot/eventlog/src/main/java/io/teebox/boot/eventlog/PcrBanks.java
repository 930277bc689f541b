package io.teebox.boot.eventlog;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * PCR values per bank as a replay of a log computes them: every PCR of a bank starts at zero (PCR 0 at the
 * StartupLocality if the log has one) and is extended with each record's digest for the bank.
 */
public final class PcrBanks {

    /** The PCRs of a PC Client TPM. */
    public static final int PCR_COUNT = 24;

    private final Map<HashAlgorithm, byte[][]> values = new EnumMap<>(HashAlgorithm.class);
    private final Set<Integer> extended = new TreeSet<>();

    PcrBanks(Iterable<HashAlgorithm> banks) {
        for (HashAlgorithm a : banks) {
            values.put(a, new byte[PCR_COUNT][a.digestSize()]);
        }
    }

    void startupLocality(int locality) {
        for (Map.Entry<HashAlgorithm, byte[][]> e : values.entrySet()) {
            byte[] pcr0 = new byte[e.getKey().digestSize()];
            pcr0[pcr0.length - 1] = (byte) locality;
            e.getValue()[0] = pcr0;
        }
    }

    void extend(HashAlgorithm alg, int pcr, byte[] digest) {
        byte[][] bank = values.get(alg);
        bank[pcr] = alg.extend(bank[pcr], digest);
        extended.add(pcr);
    }

    static int checkPcr(String struct, long pcrIndex) {
        if (pcrIndex < 0 || pcrIndex >= PCR_COUNT) {
            throw new EventLogException(struct, "pcrIndex", struct + ".pcrIndex is " + pcrIndex
                    + ", expected 0.." + (PCR_COUNT - 1));
        }
        return (int) pcrIndex;
    }

    /**
     * The banks replayed.
     *
     * @return the algorithms, in TPM_ALG_ID order
     */
    public Set<HashAlgorithm> banks() {
        return Collections.unmodifiableSet(values.keySet());
    }

    /**
     * The PCRs some record extended.
     *
     * @return the indexes, ascending
     */
    public Set<Integer> extended() {
        return Collections.unmodifiableSet(extended);
    }

    /**
     * A PCR's value.
     *
     * @param alg the bank
     * @param pcr the PCR, 0..23
     * @return its value
     * @throws IllegalArgumentException if the bank was not replayed or the PCR is out of range
     */
    public byte[] value(HashAlgorithm alg, int pcr) {
        byte[][] bank = values.get(alg);
        if (bank == null) {
            throw new IllegalArgumentException("no " + alg + " bank was replayed, only " + values.keySet());
        }
        if (pcr < 0 || pcr >= PCR_COUNT) {
            throw new IllegalArgumentException("PCR " + pcr + " is out of range 0.." + (PCR_COUNT - 1));
        }
        return bank[pcr].clone();
    }
}
