package io.teebox.console.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.felix.webconsole.servlet.ServletConstants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import com.google.gson.JsonObject;

import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.appraisal.Check;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.EvidenceField;
import io.teebox.api.attestation.EvidenceVerifier;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.hypervisor.GuestInfo;
import io.teebox.api.hypervisor.GuestState;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.tee.Bytes;
import io.teebox.spi.collateral.CollateralSource;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Evidence: a report or quote attested from a running guest or uploaded from a file, its fields decoded with their
 * offsets by the format's verifier, its certificate chain, the verifier's appraisal with the reason for each check,
 * and the evidence downloaded again in the vendor's format (the raw report, the chain as PEM).
 */
@Component(service = Servlet.class, property = {ServletConstants.PLUGIN_LABEL + "=" + EvidencePanel.LABEL,
    ServletConstants.PLUGIN_TITLE + "=Evidence", ServletConstants.PLUGIN_CATEGORY + "=teebox"})
public final class EvidencePanel extends Panel {

    private static final long serialVersionUID = 1L;
    static final String LABEL = "teebox-evidence";
    private static final Pattern PEM = Pattern.compile("-----BEGIN ([A-Z ]+)-----(.*?)-----END \\1-----",
            Pattern.DOTALL);
    private static final int KEPT = 32;

    private final transient Hypervisor hypervisor;
    private final transient Flows flows;
    private final transient Map<String, EvidenceVerifier> verifiers = new ConcurrentHashMap<>();
    private final transient List<CollateralSource> sources = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final transient Map<String, Evidence> kept = java.util.Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Evidence> eldest) {
                    return size() > KEPT;
                }
            });

    /**
     * @param hypervisor the platform's hypervisor
     * @param flows where attestation flows are recorded for the timeline
     */
    @Activate
    public EvidencePanel(@Reference Hypervisor hypervisor, @Reference Flows flows) {
        this.hypervisor = hypervisor;
        this.flows = flows;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindVerifier(EvidenceVerifier v) {
        verifiers.put(v.format(), v);
    }

    void unbindVerifier(EvidenceVerifier v) {
        verifiers.remove(v.format(), v);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(collateral.emulated=true)")
    void bindSource(CollateralSource s) {
        sources.add(s);
    }

    void unbindSource(CollateralSource s) {
        sources.remove(s);
    }

    /** @return the roots this machine's emulated vendor services vouch under (their trust anchors) */
    private List<byte[]> emulatedRoots() {
        List<byte[]> out = new ArrayList<>();
        for (CollateralSource s : sources) {
            try {
                s.fetch(CollateralSource.TRUST_ANCHORS, Map.of()).ifPresent(b -> out.addAll(certificates(new String(
                        b.value(), StandardCharsets.US_ASCII))));
            } catch (RuntimeException e) {
                // a source without anchors, or one that cannot answer now, adds none
            }
        }
        return out;
    }

    @Override
    String label() {
        return LABEL;
    }

    @Override
    Object read(String what, HttpServletRequest request) {
        if (what.equals("sources")) {
            return map("formats", verifiers.keySet().stream().sorted().toList(), "guests", hypervisor.guests()
                    .stream().filter(g -> g.state() == GuestState.RUNNING).map(g -> g.config().name()).toList());
        }
        throw new IllegalArgumentException("no data named '" + what + "' on " + LABEL + " (sources)");
    }

    @Override
    boolean raw(String what, HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!what.equals("download")) {
            return false;
        }
        JsonObject q = GuestsPanel.query(request);
        Evidence e = kept.get(string(q, "id"));
        if (e == null) {
            throw new IllegalArgumentException("no evidence '" + string(q, "id") + "' is kept (the console keeps the "
                    + "last " + KEPT + ")");
        }
        String part = string(q, "part");
        byte[] body;
        String name = e.format();
        switch (part) {
            case "report" -> {
                body = e.report();
                response.setContentType("application/octet-stream");
                name += ".bin";
            }
            case "certs" -> {
                body = pem(e.certificates()).getBytes(StandardCharsets.US_ASCII);
                response.setContentType("application/x-pem-file");
                name += ".certs.pem";
            }
            default -> throw new IllegalArgumentException("part must be report or certs, got '" + part + "'");
        }
        response.setHeader("Content-Disposition", "attachment; filename=\"" + name.replaceAll("[^A-Za-z0-9._-]",
                "_") + "\"");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
        return true;
    }

    @Override
    Object act(String action, JsonObject body) {
        switch (action) {
            case "attest": {
                String guest = string(body, "guest");
                GuestInfo g = hypervisor.guest(guest);
                String rd = optional(body, "reportData");
                byte[] data;
                try {
                    data = rd == null ? new byte[0] : HexFormat.of().parseHex(rd.strip());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("report data '" + rd + "' is not hex");
                }
                Evidence e = hypervisor.context(guest).evidence(Bytes.of(data));
                Map<String, Object> out = analyse(e, emulatedRoots());
                List<Flows.Step> steps = new ArrayList<>();
                steps.add(new Flows.Step("owner", "guest", "nonce / report data (" + data.length + " bytes)", ""));
                steps.add(new Flows.Step("guest", "firmware", "evidence request (" + e.format() + ")", ""));
                steps.add(new Flows.Step("firmware", "guest", "signed evidence, " + e.report().length + " bytes",
                        "SUCCESS"));
                steps.add(new Flows.Step("guest", "owner", "evidence + " + e.certificates().size()
                        + " certificates", ""));
                Object status = ((Map<?, ?>) out.getOrDefault("appraisal", Map.of())).get("status");
                steps.add(new Flows.Step("owner", "owner", "appraisal", String.valueOf(status)));
                flows.attested(g.config().name(), steps);
                return out;
            }
            case "upload": {
                String format = string(body, "format");
                byte[] report = base64(body, "report");
                if (report == null || report.length == 0) {
                    throw new IllegalArgumentException("'report' is missing: choose a report or quote file");
                }
                List<byte[]> certs = certificates(optional(body, "certs"));
                List<byte[]> roots = new ArrayList<>(certificates(optional(body, "roots")));
                if (!"false".equals(optional(body, "trustEmulated"))) {
                    roots.addAll(emulatedRoots());
                }
                Map<String, byte[]> attachments = new LinkedHashMap<>();
                String nonce = optional(body, "nonce");
                if (nonce != null) {
                    try {
                        attachments.put("nonce", HexFormat.of().parseHex(nonce.strip()));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("nonce '" + nonce + "' is not hex");
                    }
                }
                return analyse(new Evidence(format, report, certs, attachments), roots);
            }
            default:
                throw new IllegalArgumentException("no action named '" + action + "' on " + LABEL
                        + " (attest, upload)");
        }
    }

    private Map<String, Object> analyse(Evidence e, List<byte[]> roots) {
        String id = UUID.randomUUID().toString();
        kept.put(id, e);
        Map<String, Object> out = map("id", id, "format", e.format(), "size", e.report().length);
        EvidenceVerifier v = verifiers.get(e.format());
        if (v == null) {
            out.put("error", "no verifier for '" + e.format() + "' is present (present: "
                    + verifiers.keySet().stream().sorted().toList() + ")");
            out.put("fields", List.of());
        } else {
            try {
                out.put("fields", v.fields(e).stream().map(EvidencePanel::field).toList());
            } catch (IllegalArgumentException x) {
                out.put("fields", List.of());
                out.put("fieldsError", x.getMessage());
            }
            Appraisal a = v.verify(e, VerificationOptions.trusting(roots));
            out.put("appraisal", appraisal(a));
        }
        out.put("chain", chain(e.certificates()));
        return out;
    }

    static Map<String, Object> field(EvidenceField f) {
        return map("name", f.name(), "offset", f.offset(), "length", f.length(), "value", f.value());
    }

    static Map<String, Object> appraisal(Appraisal a) {
        List<Object> checks = new ArrayList<>();
        for (Check c : a.passes()) {
            checks.add(map("check", c.check(), "claim", c.claim() == null ? null : c.claim().name(), "tier",
                    c.tier().name(), "reason", c.reason(), "passed", true));
        }
        for (Check c : a.failures()) {
            checks.add(map("check", c.check(), "claim", c.claim() == null ? null : c.claim().name(), "tier",
                    c.tier().name(), "reason", c.reason(), "passed", false));
        }
        Map<String, String> vector = new LinkedHashMap<>();
        a.vector().forEach((k, t) -> vector.put(k.name(), t.name()));
        return map("status", a.status().name(), "accepted", a.accepted(), "vector", vector, "claims",
                a.claimTexts(), "checks", checks);
    }

    static List<Object> chain(List<byte[]> certs) {
        List<Object> out = new ArrayList<>();
        for (byte[] der : certs) {
            X509Certificate c = x509(der);
            out.add(c == null ? map("subject", "vendor-format certificate", "bytes", der.length)
                    : map("subject", c.getSubjectX500Principal().getName(), "issuer",
                            c.getIssuerX500Principal().getName(), "serial", c.getSerialNumber().toString(16),
                            "notAfter", c.getNotAfter().toInstant().toString(), "algorithm", c.getSigAlgName(),
                            "bytes", der.length));
        }
        return out;
    }

    /** @return the certificate if the bytes are X.509 DER, else null (a vendor-format certificate) */
    static X509Certificate x509(byte[] der) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException | RuntimeException e) {
            return null;
        }
    }

    /** @return the certificates of a PEM text (or of Base64 DER), leaf first; none for null */
    static List<byte[]> certificates(String text) {
        if (text == null) {
            return List.of();
        }
        List<byte[]> out = new ArrayList<>();
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            try {
                out.add(Base64.getMimeDecoder().decode(m.group(2)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("a PEM " + m.group(1) + " block is not Base64");
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no PEM certificate block (-----BEGIN CERTIFICATE-----) in the "
                    + "certificates given");
        }
        return out;
    }

    static String pem(List<byte[]> certs) {
        StringBuilder b = new StringBuilder();
        for (byte[] c : certs) {
            String label = x509(c) == null ? "VENDOR CERTIFICATE" : "CERTIFICATE";
            b.append("-----BEGIN ").append(label).append("-----\n").append(Base64.getMimeEncoder(64,
                    "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(c)).append("\n-----END ").append(label)
                    .append("-----\n");
        }
        return b.toString();
    }
}
