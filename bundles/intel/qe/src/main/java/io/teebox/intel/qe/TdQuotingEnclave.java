package io.teebox.intel.qe;

import io.teebox.api.tee.TeeException;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The TD quoting enclave of this platform: checks a TDREPORT with EVERIFYREPORT2 and signs a DCAP Quote v4 over it
 * with its ECDSA P-256 attestation key, whose binding its own QE report carries, signed with the PCK key.
 */
@ProviderType
public interface TdQuotingEnclave {

    /**
     * @param tdReport a TDREPORT_STRUCT from TDG.MR.REPORT
     * @return the Quote v4 bytes
     * @throws TeeException with TDX_INVALID_REPORTMACSTRUCT if the report does not verify, or TDX_OPERAND_INVALID
     *             if it is malformed
     */
    byte[] quote(byte[] tdReport);

    /** @return the DER PCK chain, leaf first: PCK certificate, PCK Platform CA, Intel SGX Root CA */
    List<byte[]> pckChain();

    /** @return the attestation public key as X || Y (64 bytes, big-endian) */
    byte[] attestationPublicKey();
}
