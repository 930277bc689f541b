package io.teebox.amd.snp.internal;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.teebox.amd.abi.AmdKeyHierarchy;
import io.teebox.amd.abi.SnpCertTable;
import io.teebox.amd.abi.TcbVersions;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.tee.TcbVersion;
import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.x509.X509Authority;

/**
 * A report as an extended report hands it to the guest: with the chain that signs it (VCEK, ASK, ARK, or VLEK, ASVK,
 * ARK), the same chain as the firmware's certificate table, and, like an attester that bundles the KDS's CRL, the
 * ARK-signed CRL, so verifiers can check revocation offline.
 */
final class SnpEvidence {

    /** The evidence format. */
    static final String FORMAT = "sev-snp-report";
    /** Evidence attachment with the ARK-signed CRL ({@code /vcek/v1/{product}/crl} of the KDS). */
    static final String ATTACHMENT_CRL = "crl";
    /** Evidence attachment with the extended report's certificate table. */
    static final String ATTACHMENT_CERTIFICATE_TABLE = "certificate-table";

    private SnpEvidence() {
    }

    /**
     * @param sp the secure processor whose keys signed the report
     * @param report the signed ATTESTATION_REPORT
     * @return the evidence
     */
    static Evidence of(AmdSecureProcessor sp, byte[] report) {
        AmdKeyHierarchy keys = sp.keys();
        String csp = sp.vlekCspId();
        List<byte[]> chain = new ArrayList<>();
        try {
            TcbVersion tcb = TcbVersions.decode(sp.productLine(), LittleEndian.u64(report, 0x180));
            if (csp == null) {
                for (X509Certificate cert : keys.chain(tcb)) {
                    chain.add(cert.getEncoded());
                }
            } else {
                chain.add(keys.vlek(tcb, csp).getEncoded());
                chain.add(keys.asvk().certificate().getEncoded());
                chain.add(keys.ark().getEncoded());
            }
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
        Map<UUID, byte[]> table = new LinkedHashMap<>();
        table.put(csp == null ? SnpCertTable.VCEK : SnpCertTable.VLEK, chain.get(0));
        table.put(SnpCertTable.ASK, chain.get(1));
        table.put(SnpCertTable.ARK, chain.get(2));
        return new Evidence(FORMAT, report, chain, Map.of(ATTACHMENT_CERTIFICATE_TABLE, SnpCertTable.build(table),
                ATTACHMENT_CRL, X509Authority.toDer(keys.crl())));
    }
}
