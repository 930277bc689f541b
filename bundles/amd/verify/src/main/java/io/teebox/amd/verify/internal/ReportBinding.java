package io.teebox.amd.verify.internal;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.teebox.amd.abi.SnpReport;
import io.teebox.kit.codec.Struct;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.crypto.Signatures;

/**
 * Verifies that a report belongs to its signing key: SIGNATURE_ALGO and the signature with the leaf's P-384 key,
 * KEY_INFO's signing key kind, the leaf's TCB equal to REPORTED_TCB, its hwID equal to CHIP_ID (VCEK), and in a
 * version 3+ report the CPUID family, model and stepping of the leaf's product.
 */
final class ReportBinding {

    /** CPUID steppings seen with each KDS productName (see {@link #cpuid}). */
    private static final Map<String, Set<Integer>> STEPPINGS = Map.of("Milan-B0", Set.of(0, 1), "Milan-B1",
            Set.of(1), "Genoa-B0", Set.of(0), "Genoa-B1", Set.of(1), "Genoa-B2", Set.of(2), "Turin-B0", Set.of(0),
            "Turin-B1", Set.of(1));

    private final Findings out;

    ReportBinding(Findings out) {
        this.out = out;
    }

    /** SIGNATURE_ALGO must be 1 (ECDSA P-384 with SHA-384). */
    void algorithm(Struct f) {
        if (f.u32("SIGNATURE_ALGO") != SnpReport.ALGO_ECDSA_P384_SHA384) {
            out.fail("signature", "SIGNATURE_ALGO is " + f.u32("SIGNATURE_ALGO")
                    + ", expected 1 (ECDSA P-384 with SHA-384)");
        }
    }

    /** The report's signature over bytes 0x000..0x29F with the leaf's key. */
    void signature(SnpReport report, X509Certificate leaf) {
        if (!(leaf.getPublicKey() instanceof ECPublicKey) || !isP384(leaf)) {
            out.fail("chain", "the " + AmdNames.cn(leaf) + " carries a " + leaf.getPublicKey().getAlgorithm() + " key"
                    + keySize(leaf) + ", expected ECDSA P-384, so it cannot have signed the report");
            return;
        }
        BigInteger[] rs = report.signature();
        boolean valid;
        try {
            valid = Signatures.ecdsaVerify(leaf.getPublicKey(), "SHA-384", report.signedBytes(), rs[0], rs[1]);
        } catch (IllegalArgumentException e) {
            // the certificate decodes, but its key does not (a point off the curve, say)
            out.fail("chain", "the " + AmdNames.cn(leaf) + "'s public key cannot verify a signature: "
                    + e.getMessage() + (e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")"));
            return;
        }
        if (!valid) {
            out.fail("signature", "the report's signature over bytes 0x000..0x29F does not verify with the "
                    + AmdNames.cn(leaf) + "'s key");
        }
    }

    private static boolean isP384(X509Certificate c) {
        try {
            return "P-384".equals(EcKeys.curveOf(c.getPublicKey()));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String keySize(X509Certificate c) {
        if (c.getPublicKey() instanceof RSAKey rsa) {
            return " (" + rsa.getModulus().bitLength() + " bits)";
        }
        return "";
    }

    /** The leaf belongs to this report: key kind, TCB, chip. */
    void bind(Struct f, VcekExtensions leaf) {
        long signingKey = (f.u32("KEY_INFO") >>> 2) & 7;
        if (signingKey != (leaf.vlek() ? 1 : 0)) {
            out.fail("signing_key", "KEY_INFO.SIGNING_KEY is " + signingKey + " but the report comes with a "
                    + (leaf.vlek() ? "VLEK (1)" : "VCEK (0)"));
        }
        long reported = f.u64("REPORTED_TCB");
        if (leaf.tcb() != reported) {
            out.fail("tcb", String.format("the %s is for TCB 0x%016X, the report's REPORTED_TCB is 0x%016X (%s): "
                    + "the %s belongs to another TCB", leaf.kind(), leaf.tcb(), reported,
                    tcbDifference(leaf.productLine(), leaf.tcb(), reported), leaf.kind()));
        }
        if (leaf.vlek()) {
            return;
        }
        byte[] chipId = f.bytes("CHIP_ID");
        if (AmdNames.allZero(chipId)) {
            out.claim("chip_id_check", "skipped: CHIP_ID is masked (all zero)");
            return;
        }
        byte[] reportId = Arrays.copyOf(chipId, leaf.hwid().length);
        boolean restZero = AmdNames.allZero(Arrays.copyOfRange(chipId, leaf.hwid().length, 64));
        if (!Arrays.equals(reportId, leaf.hwid()) || !restZero) {
            out.fail("chip", "the VCEK's hwID " + AmdNames.abbreviate(leaf.hwid()) + " is not the report's CHIP_ID "
                    + AmdNames.abbreviate(chipId) + ": the VCEK belongs to another chip");
        }
    }

    /** Names the TCB components that differ. */
    static String tcbDifference(String line, long cert, long report) {
        String[] names = "Turin".equals(line)
                ? new String[] {"FMC", "BOOT_LOADER", "TEE", "SNP", "SPL5", "SPL6", "SPL7", "MICROCODE"}
                : new String[] {"BOOT_LOADER", "TEE", "SPL4", "SPL5", "SPL6", "SPL7", "SNP", "MICROCODE"};
        List<String> diff = new ArrayList<>();
        for (int b = 0; b < 8; b++) {
            long x = (cert >>> (8 * b)) & 0xFF;
            long y = (report >>> (8 * b)) & 0xFF;
            if (x != y) {
                diff.add(names[b] + " SPL " + x + " vs " + y);
            }
        }
        return String.join(", ", diff);
    }

    /**
     * The product line a version 3+ report's CPUID_FAM_ID and CPUID_MOD_ID name: Milan family 19h models 00h-0Fh;
     * Genoa 19h, 10h-1Fh and A0h-AFh; Turin 1Ah, 00h-11h, as virtee/sev reads them.
     *
     * @return the line, or null for another CPU or a report before version 3
     */
    static String productLine(SnpReport report) {
        if (report.version() < 3) {
            return null;
        }
        int family = report.fields().u8("CPUID_FAM_ID");
        int model = report.fields().u8("CPUID_MOD_ID");
        if (family == 0x19 && model <= 0x0F) {
            return "Milan";
        } else if (family == 0x19 && (model >= 0x10 && model <= 0x1F || model >= 0xA0 && model <= 0xAF)) {
            return "Genoa";
        } else if (family == 0x1A && model <= 0x11) {
            return "Turin";
        }
        return null;
    }

    /**
     * In a version 3+ report the CPUID names a product line ({@link #productLine}) that must be the leaf's. A VCEK
     * productName with a stepping must fit CPUID_STEP; the KDS names stepping-1 Milan parts "Milan-B0"
     * (go-sev-guest issue 115), so Milan-B0 accepts steppings 0 and 1.
     */
    void cpuid(SnpReport report, VcekExtensions leaf) {
        if (report.version() < 3) {
            return;
        }
        Struct f = report.fields();
        int stepping = f.u8("CPUID_STEP");
        String line = productLine(report);
        String fms = String.format("CPUID family 0x%02X model 0x%02X stepping %d", f.u8("CPUID_FAM_ID"),
                f.u8("CPUID_MOD_ID"), stepping);
        out.claim("cpu", fms + (line == null ? "" : " (" + line + ")"));
        if (line == null) {
            out.fail("cpuid", "the report's " + fms + " is no SEV-SNP product teebox knows (Milan 19h/00h-0Fh, "
                    + "Genoa 19h/10h-1Fh and A0h-AFh, Turin 1Ah/00h-11h)");
            return;
        }
        if (!line.equals(leaf.productLine())) {
            out.fail("cpuid", "the report's " + fms + " is a " + line + ", but its " + leaf.kind() + " is for '"
                    + leaf.productName() + "'");
            return;
        }
        Set<Integer> steppings = STEPPINGS.get(leaf.productName());
        if (!leaf.productName().equals(leaf.productLine()) && steppings == null) {
            out.fail("cpuid", "the VCEK's productName '" + leaf.productName() + "' names a stepping teebox does not "
                    + "know (" + new TreeSet<>(STEPPINGS.keySet()) + ")");
        } else if (steppings != null && !steppings.contains(stepping)) {
            out.fail("cpuid", "the report's " + fms + " is not what the VCEK's productName '" + leaf.productName()
                    + "' allows (stepping " + steppings + ")");
        }
    }
}
