package io.teebox.nvidia.verify.internal;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.nvidia.rim.Rim;
import io.teebox.nvidia.rim.RimSignatureException;
import io.teebox.spi.collateral.CollateralSource;
import io.teebox.spi.collateral.CollateralSources;

/**
 * Fetches a RIM as NVIDIA's verifier does (RIM service {@code GET /v1/rim/{id}}, JSON whose {@code rim} field is the
 * base64 SWID tag), through the collateral sources (kind {@code rim}, key {@code id}), and checks it: its signature
 * to one of the trusted X.509 roots, its colloquialVersion against the report's version (NVIDIA compares them
 * lower-cased), and, when a source answers OCSP, its signing chain's OCSP status from the signer (index 0) up.
 */
final class RimCheck {

    /** The kind of collateral a RIM is. */
    static final String KIND = "rim";

    /** What became of one RIM: the RIM if it verified, else why not; {@code available} false if no source had it. */
    record Outcome(Rim rim, boolean available, String problem, List<X509Certificate> chain) {
    }

    private final List<CollateralSource> sources;
    private final List<X509Certificate> roots;
    private final Instant now;

    RimCheck(List<CollateralSource> sources, List<X509Certificate> roots, Instant now) {
        this.sources = sources;
        this.roots = roots;
        this.now = now;
    }

    /** @return the driver RIM's id as nvtrust forms it for Hopper */
    static String driverId(String driverVersion) {
        return "NV_GPU_DRIVER_GH100_" + driverVersion;
    }

    /** @return the VBIOS RIM's id as nvtrust forms it */
    static String vbiosId(String project, String projectSku, String chipSku, String vbiosVersion) {
        return "NV_GPU_VBIOS_" + project + "_" + projectSku + "_" + chipSku + "_"
                + vbiosVersion.replace(".", "").toUpperCase(Locale.ROOT);
    }

    /**
     * @param what "driver" or "VBIOS"
     * @param id the RIM's id
     * @param version the report's version
     * @param attached the RIM the evidence carries (the signed XML, or the RIM service's JSON), or null
     * @param sourceProblems where failing sources are noted
     * @return the outcome
     */
    Outcome check(String what, String id, String version, byte[] attached, List<String> sourceProblems) {
        // the RIM the evidence carries, then each source in turn: the first that verifies under a trusted root wins;
        // a RIM signed under no trusted root (another vendor's, or an emulated service's RIM for genuine evidence)
        // is passed over as unavailable; one that claims a trusted root and fails is the answer if none verifies
        Outcome failed = null;
        List<String> untrusted = new ArrayList<>();
        List<Object> candidates = new ArrayList<>();
        if (attached != null) {
            candidates.add(attached);
        }
        candidates.addAll(sources);
        for (Object c : candidates) {
            byte[] answer;
            String from;
            if (c instanceof byte[] b) {
                answer = b;
                from = "the evidence";
            } else {
                CollateralSource s = (CollateralSource) c;
                Optional<CollateralSources.Answer> a = CollateralSources.ask(s, KIND, Map.of("id", id), sourceProblems);
                if (a.isEmpty()) {
                    continue;
                }
                answer = a.get().value().value();
                from = s.describe();
            }
            Outcome o;
            try {
                o = verify(what, id, version, isXml(answer) ? answer : fromJson(answer, id, from), from);
            } catch (IllegalStateException e) {
                o = new Outcome(null, true, e.getMessage(), List.of());
            }
            if (o.rim() != null) {
                return o;
            }
            if (o.available()) {
                failed = failed == null ? o : failed;
            } else {
                untrusted.add(o.problem());
            }
        }
        if (failed != null) {
            return failed;
        }
        List<String> why = new ArrayList<>(untrusted);
        why.addAll(sourceProblems);
        return new Outcome(null, false, "no " + what + " RIM " + id + " available"
                + (sources.isEmpty() && attached == null ? " (no NVIDIA collateral source)" : untrusted.isEmpty()
                        ? " from " + sources.stream().map(CollateralSource::describe).toList()
                        : " signed under a trusted root")
                + (why.isEmpty() ? "" : "; " + String.join("; ", why)), List.of());
    }

    private static boolean isXml(byte[] b) {
        for (byte c : b) {
            if (c == '<') {
                return true;
            }
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t' && c != (byte) 0xEF && c != (byte) 0xBB
                    && c != (byte) 0xBF) {
                return false;
            }
        }
        return false;
    }

    /** @throws IllegalStateException with the one-line reason */
    private static byte[] fromJson(byte[] json, String id, String from) {
        try {
            JsonElement e = JsonParser.parseString(new String(json, StandardCharsets.UTF_8));
            JsonElement rim = e.isJsonObject() ? ((JsonObject) e).get("rim") : null;
            if (rim == null || !rim.isJsonPrimitive()) {
                throw new IllegalStateException("the RIM service's answer for " + id + " from " + from
                        + " has no \"rim\" string");
            }
            return Base64.getMimeDecoder().decode(rim.getAsString());
        } catch (JsonParseException e) {
            throw new IllegalStateException("the RIM service's answer for " + id + " from " + from
                    + " is not JSON: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the \"rim\" of " + id + " from " + from + " is not base64: "
                    + e.getMessage());
        }
    }

    private Outcome verify(String what, String id, String version, byte[] xml, String from) {
        Rim rim;
        try {
            rim = Rim.parse(xml);
        } catch (MalformedStructureException e) {
            return new Outcome(null, true, id + ": " + e.getMessage(), List.of());
        }
        if (roots.isEmpty()) {
            return new Outcome(null, true, id + ": no X.509 trusted root is configured (give NVIDIA CoRIM signing "
                    + "Root CA, verifier_RIM_root.pem, as a trusted root)", List.of());
        }
        X509Certificate top = rim.certificates().isEmpty() ? null
                : rim.certificates().get(rim.certificates().size() - 1);
        if (top != null && roots.stream().noneMatch(r -> r.getSubjectX500Principal().equals(
                top.getIssuerX500Principal()) || r.getSubjectX500Principal().equals(top.getSubjectX500Principal()))) {
            return new Outcome(null, false, id + " from " + from + " is signed under '"
                    + top.getIssuerX500Principal().getName() + "', which is not a trusted root", List.of());
        }
        String failure = null;
        X509Certificate used = null;
        for (X509Certificate root : roots) {
            try {
                rim.verify(root, now);
                used = root;
                break;
            } catch (RimSignatureException e) {
                if (failure == null || (top != null && top.getSubjectX500Principal()
                        .equals(root.getSubjectX500Principal()))) {
                    failure = e.getMessage();
                }
            }
        }
        if (used == null) {
            return new Outcome(null, true, id + ": " + failure, List.of());
        }
        if (!rim.isFor(version)) {
            return new Outcome(null, true, id + ": the RIM's colloquialVersion is " + rim.colloquialVersion()
                    + ", but the report's " + what + " version is " + version, List.of());
        }
        List<X509Certificate> chain = new ArrayList<>(rim.certificates());
        X509Certificate last = chain.get(chain.size() - 1);
        if (chain.size() > 1 && last.getSubjectX500Principal().equals(last.getIssuerX500Principal())) {
            chain.remove(chain.size() - 1);
        }
        chain.add(used);
        return new Outcome(rim, true, null, chain);
    }
}
