package io.teebox.attestation.azure.internal;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The claims of an Azure Attestation (MAA) token for an SEV-SNP VM, from the attestation service's EAR: the
 * {@code x-ms-sevsnpvm-*} claims come from the SNP report's fields the EAR's annotated evidence carries
 * ({@code submods.cpu0["ear.veraison.annotated-evidence"].snp}), with MAA's names and types (hex strings lower-case,
 * SVNs and VMPL numbers, policy bits booleans); {@code x-ms-runtime} is the runtime data the report binds.
 * {@code x-ms-compliance-status} is {@value #COMPLIANT} only when the EAR's {@code cpu0} affirms; otherwise it is
 * {@value #NOT_COMPLIANT} and {@code x-ms-teebox-reasons} lists the checks that did not affirm.
 */
final class MaaClaims {

    static final String COMPLIANT = "azure-compliant-cvm";
    static final String NOT_COMPLIANT = "azure-non-compliant-cvm";

    /** SNP guest policy bits (SEV-SNP ABI, GUEST_POLICY): SMT 16, MIGRATE_MA 18, DEBUG 19. */
    private static final int SMT = 16;
    private static final int MIGRATE_MA = 18;
    private static final int DEBUG = 19;

    private MaaClaims() {
    }

    /**
     * @param ear the EAR's verified claims
     * @param runtime the runtime data, parsed (JSON values as maps, lists, strings, numbers, booleans)
     * @param issuer the token's issuer
     * @param policyHash the {@code x-ms-policy-hash}
     * @param nonce the request's nonce, or null
     * @param iat issued at, seconds
     * @param lifetime seconds
     * @param jti the token id
     * @return the claims, in MAA's order
     * @throws IllegalArgumentException if the EAR has no SNP annotated evidence, naming what is missing
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> of(Map<String, Object> ear, Map<String, Object> runtime, String issuer,
            String policyHash, String nonce, long iat, long lifetime, String jti) {
        Map<String, Object> cpu0 = map(map(ear.get("submods"), "submods").get("cpu0"), "submods.cpu0");
        Map<String, Object> snp = map(map(cpu0.get("ear.veraison.annotated-evidence"),
                "cpu0.ear.veraison.annotated-evidence").get("snp"), "cpu0.ear.veraison.annotated-evidence.snp");
        String status = String.valueOf(cpu0.get("ear.status"));
        long policy = u64(snp, "policy");
        Map<String, Integer> tcb = tcb(snp, "reported_tcb");

        Map<String, Object> tee = new LinkedHashMap<>();
        tee.put("x-ms-attestation-type", "sevsnpvm");
        tee.put("x-ms-compliance-status", "affirming".equals(status) ? COMPLIANT : NOT_COMPLIANT);
        tee.put("x-ms-runtime", runtime);
        tee.put("x-ms-sevsnpvm-authorkeydigest", hex(snp, "author_key_digest"));
        tee.put("x-ms-sevsnpvm-bootloader-svn", tcb.get("BOOT_LOADER"));
        tee.put("x-ms-sevsnpvm-familyId", hex(snp, "family_id"));
        tee.put("x-ms-sevsnpvm-guestsvn", (int) u32(snp, "guest_svn"));
        tee.put("x-ms-sevsnpvm-hostdata", hex(snp, "host_data"));
        tee.put("x-ms-sevsnpvm-idkeydigest", hex(snp, "id_key_digest"));
        tee.put("x-ms-sevsnpvm-imageId", hex(snp, "image_id"));
        tee.put("x-ms-sevsnpvm-is-debuggable", (policy >>> DEBUG & 1) != 0);
        tee.put("x-ms-sevsnpvm-launchmeasurement", hex(snp, "measurement"));
        tee.put("x-ms-sevsnpvm-microcode-svn", tcb.get("MICROCODE"));
        tee.put("x-ms-sevsnpvm-migration-allowed", (policy >>> MIGRATE_MA & 1) != 0);
        tee.put("x-ms-sevsnpvm-reportdata", hex(snp, "report_data"));
        tee.put("x-ms-sevsnpvm-reportid", hex(snp, "report_id"));
        tee.put("x-ms-sevsnpvm-smt-allowed", (policy >>> SMT & 1) != 0);
        tee.put("x-ms-sevsnpvm-snpfw-svn", tcb.get("SNP"));
        tee.put("x-ms-sevsnpvm-tee-svn", tcb.get("TEE"));
        tee.put("x-ms-sevsnpvm-vmpl", (int) u32(snp, "vmpl"));

        Map<String, Object> c = new LinkedHashMap<>();
        c.put("exp", iat + lifetime);
        c.put("iat", iat);
        c.put("iss", issuer);
        c.put("jti", jti);
        c.put("nbf", iat);
        if (nonce != null) {
            c.put("nonce", nonce);
        }
        c.put("x-ms-attestation-type", "sevsnpvm");
        c.put("x-ms-isolation-tee", tee);
        c.put("x-ms-policy-hash", policyHash);
        c.put("x-ms-runtime", runtime);
        if (!"affirming".equals(status)) {
            List<String> reasons = new ArrayList<>();
            if (cpu0.get("teebox.reasons") instanceof List<?> l) {
                for (Object r : l) {
                    reasons.add(r instanceof Map<?, ?> m ? m.get("check") + ": " + m.get("reason") : String.valueOf(r));
                }
            }
            c.put("x-ms-teebox-ear-status", status);
            c.put("x-ms-teebox-reasons", reasons);
        }
        c.put("x-ms-ver", "1.0");
        return c;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o, String what) {
        if (!(o instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("the EAR has no " + what + " object");
        }
        return (Map<String, Object>) m;
    }

    private static String field(Map<String, Object> snp, String name) {
        Object v = snp.get(name);
        if (v == null) {
            throw new IllegalArgumentException("the EAR's SNP evidence has no field " + name);
        }
        return String.valueOf(v).trim().split("\\s+")[0];
    }

    static String hex(Map<String, Object> snp, String name) {
        String v = field(snp, name);
        if (!v.matches("([0-9a-fA-F]{2})+")) {
            throw new IllegalArgumentException("the EAR's SNP field " + name + " is '" + v + "', not hex");
        }
        return v.toLowerCase(Locale.ROOT);
    }

    static long u64(Map<String, Object> snp, String name) {
        String v = field(snp, name);
        if (!v.matches("0[xX][0-9a-fA-F]{1,16}")) {
            throw new IllegalArgumentException("the EAR's SNP field " + name + " is '" + v + "', not 0x<hex>");
        }
        return new BigInteger(v.substring(2), 16).longValue();
    }

    /**
     * The SVNs of a TCB_VERSION: as the verifier decoded them for the report's product line ({@code 0x... [BOOT_LOADER=3
     * TEE=0 SNP=8 MICROCODE=115]}), else in Milan's and Genoa's layout (boot loader byte 0, TEE 1, SNP 6, microcode 7).
     */
    static Map<String, Integer> tcb(Map<String, Object> snp, String name) {
        long raw = u64(snp, name);
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("BOOT_LOADER", (int) (raw & 0xFF));
        m.put("TEE", (int) (raw >>> 8 & 0xFF));
        m.put("SNP", (int) (raw >>> 48 & 0xFF));
        m.put("MICROCODE", (int) (raw >>> 56 & 0xFF));
        java.util.regex.Matcher x = java.util.regex.Pattern.compile("\\b([A-Z_]+)=(\\d{1,3})\\b").matcher(
                String.valueOf(snp.get(name)));
        while (x.find()) {
            m.put(x.group(1), Integer.parseInt(x.group(2)));
        }
        return m;
    }

    static long u32(Map<String, Object> snp, String name) {
        String v = field(snp, name);
        if (!v.matches("\\d{1,10}")) {
            throw new IllegalArgumentException("the EAR's SNP field " + name + " is '" + v + "', not a number");
        }
        return Long.parseLong(v);
    }
}
