package io.teebox.intel.tdx.abi;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A request to an Intel Provisioning Certification Service (API v4), as a collateral kind and key and as the URL path
 * it is served at. The issuer chain of a PCK CRL, TCB info or QE identity is served in a response header of the same
 * path; its kind is the document's kind with {@code _issuer_chain} appended.
 * <ul>
 * <li>{@code pckcrl} {@code ca=platform|processor}: {@code /sgx/certification/v4/pckcrl?ca=..&encoding=der} (DER),
 * issuer chain in {@code SGX-PCK-CRL-Issuer-Chain};</li>
 * <li>{@code tcb} {@code fmspc=..}: {@code /tdx/certification/v4/tcb?fmspc=..} (the TDX TCB info response JSON),
 * issuer chain in {@code TCB-Info-Issuer-Chain};</li>
 * <li>{@code qe_identity}: {@code /tdx/certification/v4/qe/identity} (the TD QE identity response JSON), issuer chain
 * in {@code SGX-Enclave-Identity-Issuer-Chain};</li>
 * <li>{@code rootcacrl}: {@code /IntelSGXRootCA.der}, the root CA's CRL (DER) at its distribution point's path;</li>
 * <li>{@code pckcert} {@code ppid=.. cpusvn=.. pcesvn=.. pceid=..}: {@code /sgx/certification/v4/pckcert?..} (PEM),
 * issuer chain in {@code SGX-PCK-Certificate-Issuer-Chain}. Intel's PCS takes {@code encrypted_ppid}; teebox's
 * emulated PCS takes the plain {@code ppid}.</li>
 * </ul>
 * Paths as go-tdx-guest's {@code pcs} package and Intel's PCS API v4 name them; {@link #parse} reads a request back
 * from its path.
 *
 * @param kind the collateral kind
 * @param key what identifies it
 */
public record PcsRequest(String kind, Map<String, String> key) {

    /** The document kinds; each but {@code rootcacrl} has an {@code _issuer_chain} kind too. */
    public static final List<String> KINDS = List.of("pckcrl", "tcb", "qe_identity", "rootcacrl", "pckcert");
    /** The suffix of an issuer chain's kind. */
    public static final String ISSUER_CHAIN = "_issuer_chain";

    /**
     * Checks the kind and the key.
     *
     * @throws IllegalArgumentException naming the kind or the key part that is wrong
     */
    public PcsRequest {
        if (kind == null || !(KINDS.contains(kind) || kind.endsWith(ISSUER_CHAIN) && !kind.equals("rootcacrl"
                + ISSUER_CHAIN) && KINDS.contains(kind.substring(0, kind.length() - ISSUER_CHAIN.length())))) {
            throw new IllegalArgumentException("PCS request kind '" + kind + "' is none of " + KINDS
                    + " (or their " + ISSUER_CHAIN + ", but rootcacrl's)");
        }
        key = Map.copyOf(key == null ? Map.of() : key);
        switch (document(kind)) {
            case "pckcrl" -> {
                String ca = key.get("ca");
                if (!"platform".equals(ca) && !"processor".equals(ca)) {
                    throw new IllegalArgumentException("PCS pckcrl: ca is '" + ca + "', expected platform or "
                            + "processor");
                }
            }
            case "tcb" -> hex(key, "fmspc", 6);
            case "pckcert" -> {
                hex(key, "ppid", 16);
                hex(key, "cpusvn", 16);
                hex(key, "pceid", 2);
                String svn = key.get("pcesvn");
                if (svn == null || !svn.matches("[0-9a-fA-F]{4}")) {
                    throw new IllegalArgumentException("PCS pckcert: pcesvn is '" + svn + "', expected 4 hex digits "
                            + "(little-endian, as Intel's PCS takes it)");
                }
            }
            default -> {
            }
        }
    }

    private static void hex(Map<String, String> key, String name, int bytes) {
        String v = key.get(name);
        if (v == null || !v.matches("[0-9a-fA-F]{" + 2 * bytes + "}")) {
            throw new IllegalArgumentException("PCS request: " + name + " is '" + v + "', expected " + 2 * bytes
                    + " hex digits");
        }
    }

    private static String document(String kind) {
        return kind.endsWith(ISSUER_CHAIN) ? kind.substring(0, kind.length() - ISSUER_CHAIN.length()) : kind;
    }

    /** @return the document this request is about: the kind without {@code _issuer_chain} */
    public String document() {
        return document(kind);
    }

    /** @return the header carrying the issuer chain, for an {@code _issuer_chain} kind */
    public Optional<String> issuerChainHeader() {
        if (!kind.endsWith(ISSUER_CHAIN)) {
            return Optional.empty();
        }
        return Optional.of(switch (document()) {
            case "pckcrl" -> "SGX-PCK-CRL-Issuer-Chain";
            case "tcb" -> "TCB-Info-Issuer-Chain";
            case "qe_identity" -> "SGX-Enclave-Identity-Issuer-Chain";
            default -> "SGX-PCK-Certificate-Issuer-Chain";
        });
    }

    /** @return the path (and query) the PCS serves the document at */
    public String path() {
        return switch (document()) {
            case "pckcrl" -> "/sgx/certification/v4/pckcrl?ca=" + key.get("ca") + "&encoding=der";
            case "tcb" -> "/tdx/certification/v4/tcb?fmspc=" + key.get("fmspc").toLowerCase(java.util.Locale.ROOT);
            case "qe_identity" -> "/tdx/certification/v4/qe/identity";
            case "rootcacrl" -> "/IntelSGXRootCA.der";
            default -> {
                Map<String, String> q = new LinkedHashMap<>();
                q.put("ppid", key.get("ppid"));
                q.put("cpusvn", key.get("cpusvn"));
                q.put("pcesvn", key.get("pcesvn"));
                q.put("pceid", key.get("pceid"));
                StringBuilder b = new StringBuilder("/sgx/certification/v4/pckcert");
                char sep = '?';
                for (Map.Entry<String, String> e : q.entrySet()) {
                    b.append(sep).append(e.getKey()).append('=').append(URLEncoder.encode(e.getValue(),
                            StandardCharsets.UTF_8));
                    sep = '&';
                }
                yield b.toString();
            }
        };
    }

    /**
     * Reads a request from the path (and query) a PCS was asked for: the document, never its issuer chain (which
     * comes in a header of the same answer).
     *
     * @param path the request path without the query, for example {@code /tdx/certification/v4/tcb}
     * @param query the value of a query parameter by name, or null
     * @return the request
     * @throws IllegalArgumentException if the path is none of the PCS's, or its query does not make a valid key
     */
    public static PcsRequest parse(String path, UnaryOperator<String> query) {
        String p = path == null ? "" : path;
        Map<String, String> key = new LinkedHashMap<>();
        String kind = switch (p) {
            case "/sgx/certification/v4/pckcrl" -> {
                put(key, "ca", query);
                yield "pckcrl";
            }
            case "/tdx/certification/v4/tcb" -> {
                put(key, "fmspc", query);
                yield "tcb";
            }
            case "/tdx/certification/v4/qe/identity" -> "qe_identity";
            case "/IntelSGXRootCA.der" -> "rootcacrl";
            case "/sgx/certification/v4/pckcert" -> {
                for (String name : List.of("ppid", "cpusvn", "pcesvn", "pceid")) {
                    put(key, name, query);
                }
                yield "pckcert";
            }
            default -> throw new IllegalArgumentException("no such PCS v4 resource: '" + p + "'; served: "
                    + "/sgx/certification/v4/pckcrl, /tdx/certification/v4/tcb, /tdx/certification/v4/qe/identity, "
                    + "/IntelSGXRootCA.der, /sgx/certification/v4/pckcert");
        };
        return new PcsRequest(kind, key);
    }

    private static void put(Map<String, String> key, String name, UnaryOperator<String> query) {
        String v = query.apply(name);
        if (v != null) {
            key.put(name, v);
        }
    }
}
