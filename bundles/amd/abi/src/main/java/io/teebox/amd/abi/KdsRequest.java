package io.teebox.amd.abi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

import io.teebox.api.tee.TcbVersion;
import io.teebox.kit.hex.Hex;

/**
 * A request to AMD's Key Distribution Service, in the KDS interface's terms (AMD 57230; the paths as
 * google/go-sev-guest's {@code kds} package and virtee/snpguest build them), as a collateral kind with its key
 * and as the URL path the KDS serves it at:
 * <ul>
 * <li>{@value #VCEK}: {@code /vcek/v1/{product}/{hwid}?blSPL=&teeSPL=&snpSPL=&ucodeSPL=} (Turin:
 * {@code fmcSPL=} first), the DER VCEK of the chip {@code hwid} (CHIP_ID in lower-case hex, Turin's 8-byte
 * prefix) at that TCB;</li>
 * <li>{@value #VLEK}: {@code /vlek/v1/{product}/cert?...}, the DER VLEK at a TCB (AMD serves it only to the cloud
 * provider, with its secret in the request);</li>
 * <li>{@value #CERT_CHAIN}: {@code /vcek/v1/{product}/cert_chain} (PEM: ASK then ARK) or {@code /vlek/v1/...}
 * (ASVK then ARK);</li>
 * <li>{@value #CRL}: {@code /vcek/v1/{product}/crl} or {@code /vlek/v1/{product}/crl}, the DER CRL the ARK signs.</li>
 * </ul>
 * The key holds {@value #PRODUCT}, {@value #SIGNER} ({@code vcek} or {@code vlek}: which of the two trees),
 * {@value #HWID} for a VCEK, and the TCB's SPLs under their query names.
 *
 * @param kind {@value #VCEK}, {@value #VLEK}, {@value #CERT_CHAIN} or {@value #CRL}
 * @param key what identifies it
 */
public record KdsRequest(String kind, Map<String, String> key) {

    /** Kind: a VCEK certificate. */
    public static final String VCEK = "vcek";
    /** Kind: a VLEK certificate. */
    public static final String VLEK = "vlek";
    /** Kind: the ASK (or ASVK) and ARK, PEM. */
    public static final String CERT_CHAIN = "cert_chain";
    /** Kind: the ARK-signed CRL, DER. */
    public static final String CRL = "crl";
    /** Key: the product line (Milan, Genoa, Turin). */
    public static final String PRODUCT = "product";
    /** Key: {@code vcek} or {@code vlek}, the signing-key tree of a cert_chain or CRL. */
    public static final String SIGNER = "signer";
    /** Key: the chip's hwID in lower-case hex. */
    public static final String HWID = "hwid";
    /** The TCB's query parameters, in the order Turin's KDS takes them (others omit fmcSPL). */
    public static final String[] TCB_PARAMETERS = {"fmcSPL", "blSPL", "teeSPL", "snpSPL", "ucodeSPL"};

    /** Checks the kind and copies the key. */
    public KdsRequest {
        Objects.requireNonNull(kind, "kind");
        if (!kind.equals(VCEK) && !kind.equals(VLEK) && !kind.equals(CERT_CHAIN) && !kind.equals(CRL)) {
            throw new IllegalArgumentException("KDS kind '" + kind + "' is none of vcek, vlek, cert_chain, crl");
        }
        key = Collections.unmodifiableMap(new LinkedHashMap<>(key));
    }

    /**
     * @param productLine the product line
     * @param hwid the chip's hwID (CHIP_ID; Turin: its first 8 bytes)
     * @param tcb the TCB (components named as {@link TcbVersions#decode} names them)
     * @return the request of the chip's VCEK at that TCB
     */
    public static KdsRequest vcek(String productLine, byte[] hwid, TcbVersion tcb) {
        Map<String, String> key = new LinkedHashMap<>();
        key.put(PRODUCT, productLine);
        key.put(HWID, Hex.encode(hwid));
        key.putAll(tcbParameters(productLine, tcb));
        return new KdsRequest(VCEK, key);
    }

    /**
     * @param kind {@value #CERT_CHAIN} or {@value #CRL}
     * @param productLine the product line
     * @param signer {@code vcek} or {@code vlek}
     * @return the request
     */
    public static KdsRequest ofProduct(String kind, String productLine, String signer) {
        return new KdsRequest(kind, Map.of(PRODUCT, productLine, SIGNER, signer));
    }

    private static Map<String, String> tcbParameters(String productLine, TcbVersion tcb) {
        Map<String, Integer> c = tcb.components();
        Map<String, String> out = new LinkedHashMap<>();
        if ("Turin".equals(productLine)) {
            out.put("fmcSPL", Integer.toString(c.getOrDefault("FMC", 0)));
        }
        out.put("blSPL", Integer.toString(c.getOrDefault("BOOT_LOADER", 0)));
        out.put("teeSPL", Integer.toString(c.getOrDefault("TEE", 0)));
        out.put("snpSPL", Integer.toString(c.getOrDefault("SNP", 0)));
        out.put("ucodeSPL", Integer.toString(c.getOrDefault("MICROCODE", 0)));
        return out;
    }

    /** @return the product line, or throws naming the missing key */
    public String product() {
        return required(PRODUCT);
    }

    /** @return {@code vlek} for the VLEK tree, else {@code vcek} */
    public String signer() {
        return kind.equals(VLEK) || VLEK.equals(key.get(SIGNER)) ? VLEK : VCEK;
    }

    private String required(String name) {
        String v = key.get(name);
        if (v == null || v.isEmpty()) {
            throw new IllegalArgumentException("KDS " + kind + " request: " + name + " is missing");
        }
        return v;
    }

    /**
     * @return the path and query of this request at a KDS, for example
     *         {@code /vcek/v1/Milan/0a1b...?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=115}
     * @throws IllegalArgumentException if the key lacks what the kind needs
     */
    public String path() {
        String base = "/" + signer() + "/v1/" + product() + "/";
        return switch (kind) {
            case CERT_CHAIN -> base + "cert_chain";
            case CRL -> base + "crl";
            case VCEK -> base + required(HWID).toLowerCase(Locale.ROOT) + query();
            default -> base + "cert" + query();
        };
    }

    private String query() {
        StringBuilder q = new StringBuilder();
        for (String p : TCB_PARAMETERS) {
            String v = key.get(p);
            if (v != null) {
                q.append(q.length() == 0 ? '?' : '&').append(p).append('=').append(v);
            }
        }
        return q.toString();
    }

    /**
     * Reads a request from the path a KDS was asked for.
     *
     * @param path the path, for example {@code /vcek/v1/Milan/cert_chain}
     * @param query the value of a query parameter by name, or null
     * @return the request
     * @throws IllegalArgumentException if the path is none of the KDS's
     */
    public static KdsRequest parse(String path, UnaryOperator<String> query) {
        String[] parts = path.split("/");
        // "", "vcek" or "vlek", "v1", product, what
        if (parts.length != 5 || !parts[0].isEmpty() || !parts[2].equals("v1")
                || !parts[1].equals(VCEK) && !parts[1].equals(VLEK) || parts[3].isEmpty()) {
            throw new IllegalArgumentException("no such KDS resource: " + path);
        }
        String signer = parts[1];
        String what = parts[4];
        if (what.equals(CERT_CHAIN) || what.equals(CRL)) {
            return ofProduct(what, parts[3], signer);
        }
        if (signer.equals(VLEK) && !what.equals("cert")) {
            throw new IllegalArgumentException("no such KDS resource: " + path);
        }
        Map<String, String> key = new LinkedHashMap<>();
        key.put(PRODUCT, parts[3]);
        if (signer.equals(VCEK)) {
            key.put(HWID, what);
        }
        for (String p : TCB_PARAMETERS) {
            String v = query.apply(p);
            if (v != null) {
                key.put(p, v);
            }
        }
        return new KdsRequest(signer, key);
    }
}
