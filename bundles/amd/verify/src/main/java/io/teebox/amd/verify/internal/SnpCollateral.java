package io.teebox.amd.verify.internal;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.teebox.amd.abi.KdsRequest;
import io.teebox.amd.abi.SnpCertTable;
import io.teebox.amd.abi.SnpReport;
import io.teebox.amd.abi.TcbVersions;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.tee.TcbVersion;
import io.teebox.kit.x509.X509Authority;
import io.teebox.spi.collateral.CollateralSource;
import io.teebox.spi.collateral.CollateralSources;

/**
 * The collateral an SNP appraisal works with: the VCEK (VLEK), ASK (ASVK) and ARK and the ARK's CRL, from the
 * evidence (its certificates, else its extended report's {@value #ATTACHMENT_CERTIFICATE_TABLE}, and its
 * {@value #ATTACHMENT_CRL} attachment), and what the evidence lacks from the AMD collateral sources in ranking order,
 * as a verifier fetches it from AMD's KDS: the VCEK by product line, CHIP_ID and REPORTED_TCB, the cert_chain, the
 * CRL. Fetched certificates are verified like carried ones, by the chain's checks; a fetched CRL counts only if the
 * chain's own ARK signed it. Where collateral came from is claim {@code collateral} (absent when all of it came with
 * the evidence).
 */
final class SnpCollateral {

    /** Evidence attachment with the ARK-signed CRL ({@code /vcek/v1/{product}/crl} of the KDS): DER or PEM. */
    static final String ATTACHMENT_CRL = "crl";
    /** Evidence attachment with the extended report's certificate table. */
    static final String ATTACHMENT_CERTIFICATE_TABLE = "certificate-table";
    private static final String IN_ATTACHMENT = "attachment '" + ATTACHMENT_CRL + "'";

    /**
     * The CRLs to check revocation with.
     *
     * @param crls the CRLs
     * @param origin where they were looked for, for the claims
     */
    record Crls(List<X509CRL> crls, String origin) {
    }

    private final List<CollateralSource> sources;
    private final Findings out;
    /** Where each piece came from, when not from the evidence. */
    private final Map<String, String> fetched = new LinkedHashMap<>();
    private final java.util.Set<String> problems = new java.util.LinkedHashSet<>();

    SnpCollateral(List<CollateralSource> sources, Findings out) {
        this.sources = sources;
        this.out = out;
    }

    /**
     * @param evidence the evidence
     * @param report its report
     * @param options the options (policy {@code product} names the product line of a report that does not)
     * @return the leaf, signer and root (DER), or fewer if some could not be had
     */
    List<byte[]> certificates(Evidence evidence, SnpReport report, VerificationOptions options) {
        List<byte[]> chain = evidence.certificates();
        return chain.isEmpty() ? completed(fromTable(evidence), report, options) : chain;
    }

    /**
     * The CRLs of the evidence, or, when it carries none, the first CRL of the sources that the chain's own ARK
     * signed. Called once the chain's certificates were read.
     *
     * @param evidence the evidence
     * @param report its report
     * @param chain the leaf, signer and root
     * @return the CRLs
     */
    Crls crls(Evidence evidence, SnpReport report, List<byte[]> chain) {
        if (evidence.attachment(ATTACHMENT_CRL) != null || sources.isEmpty()) {
            return new Crls(crls(evidence), IN_ATTACHMENT);
        }
        return new Crls(fetchedCrl(chain, report), IN_ATTACHMENT + " or from the collateral sources");
    }

    /** Claims where the collateral came from, unless all of it came with the evidence. */
    void claim() {
        if (fetched.isEmpty() && problems.isEmpty()) {
            return;
        }
        List<String> parts = new ArrayList<>();
        fetched.forEach((what, from) -> parts.add(what + " from " + from));
        if (parts.isEmpty()) {
            parts.add("none fetched");
        }
        problems.forEach(p -> parts.add("not from " + p));
        out.claim("collateral", String.join("; ", parts));
    }

    /** The leaf, signer and root of the extended report's certificate table, null where it has none. */
    private byte[][] fromTable(Evidence evidence) {
        byte[][] chain = new byte[3][];
        byte[] table = evidence.attachment(ATTACHMENT_CERTIFICATE_TABLE);
        if (table == null) {
            return chain;
        }
        Map<UUID, byte[]> entries;
        try {
            entries = SnpCertTable.parse(table);
        } catch (IllegalArgumentException e) {
            out.fail("chain", "attachment '" + ATTACHMENT_CERTIFICATE_TABLE + "' is malformed: " + e.getMessage());
            return chain;
        }
        chain[0] = entries.containsKey(SnpCertTable.VCEK) ? entries.get(SnpCertTable.VCEK)
                : entries.get(SnpCertTable.VLEK);
        chain[1] = entries.get(SnpCertTable.ASK);
        chain[2] = entries.get(SnpCertTable.ARK);
        return chain;
    }

    /** Fills the pieces the evidence lacks from the sources; returns what is had, in chain order. */
    private List<byte[]> completed(byte[][] chain, SnpReport report, VerificationOptions options) {
        if ((chain[0] == null || chain[1] == null || chain[2] == null) && !sources.isEmpty()) {
            String product = product(report, options);
            if (product != null) {
                boolean vlek = ((report.fields().u32("KEY_INFO") >>> 2) & 7) == 1;
                String signer = vlek ? KdsRequest.VLEK : KdsRequest.VCEK;
                if (chain[0] == null) {
                    chain[0] = leaf(report, product, vlek);
                }
                if (chain[1] == null || chain[2] == null) {
                    fetchChain(chain, product, signer);
                }
            }
        }
        List<byte[]> out = new ArrayList<>();
        for (byte[] c : chain) {
            if (c != null) {
                out.add(c);
            }
        }
        return out;
    }

    /** The product line to fetch for: the report's CPUID (version 3+), else policy {@code product}. */
    private String product(SnpReport report, VerificationOptions options) {
        String line = ReportBinding.productLine(report);
        if (line != null) {
            return line;
        }
        String given = options.policy().get("product");
        if (given == null) {
            out.fail("chain", "the evidence carries no VCEK, and the version " + report.version() + " report names "
                    + "no product line to fetch one for; give policy product=Milan, Genoa or Turin");
            return null;
        }
        if (!given.trim().matches("Milan|Genoa|Turin")) {
            out.fail("options", "policy product is '" + given + "'; accepted: Milan, Genoa or Turin");
            return null;
        }
        return given.trim();
    }

    private byte[] leaf(SnpReport report, String product, boolean vlek) {
        TcbVersion tcb;
        try {
            tcb = TcbVersions.decode(product, report.fields().u64("REPORTED_TCB"));
        } catch (IllegalArgumentException e) {
            out.fail("chain", "no VCEK can be fetched for REPORTED_TCB: " + e.getMessage());
            return null;
        }
        KdsRequest request;
        if (vlek) {
            Map<String, String> key = new LinkedHashMap<>(KdsRequest.vcek(product, new byte[0], tcb).key());
            key.remove(KdsRequest.HWID);
            request = new KdsRequest(KdsRequest.VLEK, key);
        } else {
            byte[] chipId = report.fields().bytes("CHIP_ID");
            if (AmdNames.allZero(chipId)) {
                out.fail("chain", "the evidence carries no VCEK, and the report's CHIP_ID is masked (all zero), so "
                        + "none can be fetched");
                return null;
            }
            request = KdsRequest.vcek(product, "Turin".equals(product) ? Arrays.copyOf(chipId, 8) : chipId, tcb);
        }
        Optional<CollateralSources.Answer> a = first(request);
        a.ifPresent(x -> fetched.put(vlek ? "VLEK" : "VCEK", x.source().describe()));
        return a.map(x -> x.value().value()).orElse(null);
    }

    private void fetchChain(byte[][] chain, String product, String signer) {
        KdsRequest request = KdsRequest.ofProduct(KdsRequest.CERT_CHAIN, product, signer);
        for (CollateralSource s : sources) {
            Optional<CollateralSources.Answer> a = CollateralSources.ask(s, request.kind(), request.key(), problems);
            if (a.isEmpty()) {
                continue;
            }
            try {
                List<X509Certificate> pem = X509Authority.certificatesFromPem(new String(a.get().value().value(),
                        StandardCharsets.US_ASCII));
                if (pem.size() != 2) {
                    throw new IllegalArgumentException("it holds " + pem.size() + " certificates, expected 2");
                }
                chain[1] = X509Authority.toDer(pem.get(0));
                chain[2] = X509Authority.toDer(pem.get(1));
                fetched.put(signer.equals(KdsRequest.VLEK) ? "ASVK and ARK" : "ASK and ARK", s.describe());
                return;
            } catch (IllegalArgumentException e) {
                problems.add(s.describe() + ": its cert_chain is no PEM ASK and ARK: " + e.getMessage());
            }
        }
    }

    /** The first CRL of the sources that the chain's ARK signed. */
    private List<X509CRL> fetchedCrl(List<byte[]> chain, SnpReport report) {
        X509Certificate ark;
        try {
            ark = X509Authority.certificateFromDer(chain.get(2));
        } catch (IllegalArgumentException e) {
            return List.of();
        }
        String cn = AmdNames.cn(ark);
        String product = cn.startsWith("ARK-") ? cn.substring(4) : ReportBinding.productLine(report);
        if (product == null) {
            return List.of();
        }
        boolean vlek = ((report.fields().u32("KEY_INFO") >>> 2) & 7) == 1;
        KdsRequest request = KdsRequest.ofProduct(KdsRequest.CRL, product, vlek ? KdsRequest.VLEK : KdsRequest.VCEK);
        for (CollateralSource s : sources) {
            Optional<CollateralSources.Answer> a = CollateralSources.ask(s, request.kind(), request.key(), problems);
            if (a.isEmpty()) {
                continue;
            }
            try {
                X509CRL crl = X509Authority.crlFromDer(a.get().value().value());
                if (!crl.getIssuerX500Principal().equals(ark.getSubjectX500Principal())) {
                    throw new IllegalArgumentException("it is issued by " + crl.getIssuerX500Principal().getName());
                }
                crl.verify(ark.getPublicKey(), io.teebox.kit.crypto.BouncyCastle.provider());
                fetched.put("CRL", s.describe());
                return List.of(crl);
            } catch (IllegalArgumentException | java.security.GeneralSecurityException e) {
                problems.add(s.describe() + ": its CRL is not one the chain's " + cn + " signed (" + e.getMessage()
                        + ")");
            }
        }
        return List.of();
    }

    private Optional<CollateralSources.Answer> first(KdsRequest request) {
        for (CollateralSource s : sources) {
            Optional<CollateralSources.Answer> a = CollateralSources.ask(s, request.kind(), request.key(), problems);
            if (a.isPresent()) {
                return a;
            }
        }
        return Optional.empty();
    }

    /** The CRLs of attachment {@value #ATTACHMENT_CRL}: DER, or PEM with one or more CRLs. */
    private List<X509CRL> crls(Evidence evidence) {
        byte[] raw = evidence.attachment(ATTACHMENT_CRL);
        if (raw == null) {
            return List.of();
        }
        try {
            String text = new String(raw, StandardCharsets.US_ASCII);
            if (text.contains("-----BEGIN X509 CRL-----")) {
                List<X509CRL> crls = new ArrayList<>();
                for (String block : text.split("(?=-----BEGIN X509 CRL-----)")) {
                    if (block.contains("-----BEGIN X509 CRL-----")) {
                        crls.add(X509Authority.crlFromPem(block));
                    }
                }
                return crls;
            }
            return List.of(AmdChainCheck.CACHE.crl(raw));
        } catch (IllegalArgumentException e) {
            out.fail("crl", "attachment '" + ATTACHMENT_CRL + "' is neither a DER CRL nor PEM CRLs: "
                    + e.getMessage());
            return List.of();
        }
    }
}
