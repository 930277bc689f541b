package io.teebox.boot.chain;

import io.teebox.boot.eventlog.HashAlgorithm;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A {@link PcrSink} that computes PCR values as a TPM would: each PCR of each bank starts at zero and each extend sets
 * it to H(old || digest). Used for the owner's calculation without a TPM. Not thread-safe.
 */
public final class PcrAccumulator implements PcrSink {

    private final Map<HashAlgorithm, SortedMap<Integer, byte[]>> values = new EnumMap<>(HashAlgorithm.class);

    @Override
    public void extend(int pcr, Map<HashAlgorithm, byte[]> digests) {
        if (pcr < 0 || pcr > 23) {
            throw new IllegalArgumentException("PCR " + pcr + " is out of range 0..23");
        }
        digests.forEach((alg, d) -> {
            if (d.length != alg.digestSize()) {
                throw new IllegalArgumentException(alg + " digest is " + d.length + " bytes, expected "
                        + alg.digestSize());
            }
            SortedMap<Integer, byte[]> bank = values.computeIfAbsent(alg, a -> new TreeMap<>());
            bank.put(pcr, alg.extend(bank.getOrDefault(pcr, new byte[alg.digestSize()]), d));
        });
    }

    /**
     * The PCRs extended so far.
     *
     * @return per bank, the value of each PCR that was extended (copies)
     */
    public Map<HashAlgorithm, SortedMap<Integer, byte[]>> values() {
        Map<HashAlgorithm, SortedMap<Integer, byte[]>> out = new EnumMap<>(HashAlgorithm.class);
        values.forEach((alg, bank) -> {
            SortedMap<Integer, byte[]> copy = new TreeMap<>();
            bank.forEach((k, v) -> copy.put(k, v.clone()));
            out.put(alg, Collections.unmodifiableSortedMap(copy));
        });
        return Collections.unmodifiableMap(out);
    }
}
