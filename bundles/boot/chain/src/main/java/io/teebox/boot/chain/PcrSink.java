package io.teebox.boot.chain;

import io.teebox.boot.eventlog.HashAlgorithm;
import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Where a boot's measurements go: a TPM's PCR_Extend with one digest per bank (TPM2_PCR_Extend's TPML_DIGEST_VALUES).
 * The guest's vTPM implements it; {@link UefiFirmware#expectedPcrs} uses an accumulating one.
 */
@ConsumerType
public interface PcrSink {

    /**
     * Extends a PCR in every bank given.
     *
     * @param pcr the PCR, 0..23
     * @param digests the digest for each bank (SHA-256 and SHA-384)
     */
    void extend(int pcr, Map<HashAlgorithm, byte[]> digests);
}
