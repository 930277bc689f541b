package io.teebox.nvidia.rim;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x509.X509Authority;
import io.teebox.nvidia.rim.internal.RimXml;

/**
 * A RIM as NVIDIA publishes it: a SWID tag (ISO/IEC 19770-2:2015) with the TCG RIM-IM binding
 * ({@code BindingSpec="RIMIM"}), whose {@code Payload} lists one {@code Resource type="Measurement"} per measurement
 * block ({@code index}, {@code active}, {@code alternatives}, {@code size}, {@code name} and {@code Hash0..HashN} in
 * the {@code http://www.w3.org/2001/04/xmlenc#sha384} namespace), signed with an enveloped XML-DSig whose
 * {@code KeyInfo} carries the signer's certificate chain, signer first.
 *
 * <p>{@link #parse} reads the tag without trusting it (a DOM parser with secure processing, no DTDs, no external
 * entities); {@link #verify} checks the signature and the signer's chain to a given root. Immutable.
 */
public final class Rim {

    private static final String STRUCT = "RIM";
    /** The most alternatives one entry may list (NVIDIA's have 1 to 4). */
    static final int MAX_ALTERNATIVES = 64;

    private final byte[] xml;
    private final String tagId;
    private final String colloquialVersion;
    private final List<GoldenMeasurement> measurements;
    private final List<X509Certificate> certificates;

    private Rim(byte[] xml, String tagId, String colloquialVersion, List<GoldenMeasurement> measurements,
            List<X509Certificate> certificates) {
        this.xml = xml;
        this.tagId = tagId;
        this.colloquialVersion = colloquialVersion;
        this.measurements = List.copyOf(measurements);
        this.certificates = List.copyOf(certificates);
    }

    /**
     * Parses a RIM. The signature is not checked here ({@link #verify}).
     *
     * @param xml the SWID tag's bytes, as the RIM service's {@code rim} field decodes to
     * @return the RIM
     * @throws MalformedStructureException if it is not well-formed XML, has a DTD, is not a SWID tag, or an entry or
     *             certificate is malformed; the message names the element or attribute
     */
    public static Rim parse(byte[] xml) {
        Objects.requireNonNull(xml, "xml");
        Document doc = RimXml.parse(xml);
        Element root = doc.getDocumentElement();
        if (!RimXml.SWID_NS.equals(root.getNamespaceURI()) || !"SoftwareIdentity".equals(root.getLocalName())) {
            throw malformed("SoftwareIdentity", "root element is {"
                    + root.getNamespaceURI() + "}" + root.getLocalName() + ", expected {" + RimXml.SWID_NS
                    + "}SoftwareIdentity");
        }
        String tagId = required(root, "tagId");
        Element meta = child(root, RimXml.SWID_NS, "Meta", true);
        String version = required(meta, "colloquialVersion");
        Element payload = child(root, RimXml.SWID_NS, "Payload", true);
        List<GoldenMeasurement> entries = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (Node n = payload.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && RimXml.SWID_NS.equals(e.getNamespaceURI())
                    && "Resource".equals(e.getLocalName())) {
                if (!"Measurement".equals(e.getAttribute("type"))) {
                    continue;
                }
                GoldenMeasurement m = measurement(e);
                if (!seen.add(m.index())) {
                    throw malformed("Resource",
                            "more than one measurement has index " + m.index());
                }
                entries.add(m);
            }
        }
        if (entries.isEmpty()) {
            throw malformed("Payload", "has no Resource type=\"Measurement\"");
        }
        entries.sort((a, b) -> Integer.compare(a.index(), b.index()));
        return new Rim(xml.clone(), tagId, version, entries, certificates(root));
    }

    private static GoldenMeasurement measurement(Element e) {
        int index = integer(e, "index", 0, 255);
        String where = "Resource index " + index;
        String name = e.getAttribute("name");
        String active = required(e, "active");
        boolean on;
        if (active.equalsIgnoreCase("true")) {
            on = true;
        } else if (active.equalsIgnoreCase("false")) {
            on = false;
        } else {
            throw malformed(where + " active", "is \"" + active
                    + "\", expected True or False");
        }
        int alternatives = integer(e, "alternatives", 1, MAX_ALTERNATIVES);
        int size = integer(e, "size", 1, 1024);
        List<byte[]> values = new ArrayList<>(alternatives);
        for (int i = 0; i < alternatives; i++) {
            String attr = "Hash" + i;
            if (!e.hasAttributeNS(RimXml.SHA384_NS, attr)) {
                String other = e.hasAttribute(attr) ? " (found " + attr + " without that namespace)" : "";
                throw malformed(where + " " + attr, "is missing: alternatives=\""
                        + alternatives + "\" needs {" + RimXml.SHA384_NS + "}" + attr + other);
            }
            String hex = e.getAttributeNS(RimXml.SHA384_NS, attr);
            byte[] value;
            try {
                value = Hex.decode(hex);
            } catch (RuntimeException ex) {
                throw malformed(where + " " + attr, "is not hex: " + ex.getMessage());
            }
            if (value.length != size) {
                throw malformed(where + " " + attr, "is " + value.length
                        + " bytes, expected size=\"" + size + "\"");
            }
            values.add(value);
        }
        return new GoldenMeasurement(index, name, on, values);
    }

    private static List<X509Certificate> certificates(Element root) {
        Element sig = child(root, RimXml.DSIG_NS, "Signature", false);
        if (sig == null) {
            return List.of();
        }
        Element keyInfo = child(sig, RimXml.DSIG_NS, "KeyInfo", false);
        Element data = keyInfo == null ? null : child(keyInfo, RimXml.DSIG_NS, "X509Data", false);
        List<X509Certificate> out = new ArrayList<>();
        if (data == null) {
            return out;
        }
        int i = 0;
        for (Node n = data.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && RimXml.DSIG_NS.equals(e.getNamespaceURI())
                    && "X509Certificate".equals(e.getLocalName())) {
                byte[] der;
                try {
                    der = Base64.getMimeDecoder().decode(e.getTextContent().trim());
                } catch (IllegalArgumentException ex) {
                    throw malformed("X509Certificate " + i, "is not base64: "
                            + ex.getMessage());
                }
                try {
                    out.add(X509Authority.certificateFromDer(der));
                } catch (RuntimeException ex) {
                    throw malformed("X509Certificate " + i,
                            "is not an X.509 certificate: " + ex.getMessage());
                }
                i++;
            }
        }
        return out;
    }

    static Element child(Element parent, String ns, String local, boolean required) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && ns.equals(e.getNamespaceURI()) && local.equals(e.getLocalName())) {
                return e;
            }
        }
        if (required) {
            throw malformed(local, "element {" + ns + "}" + local
                    + " is missing under " + parent.getLocalName());
        }
        return null;
    }

    private static String required(Element e, String attr) {
        String v = e.getAttribute(attr);
        if (v.isEmpty()) {
            throw malformed(e.getLocalName() + " " + attr,
                    "attribute is missing or empty");
        }
        return v;
    }

    private static int integer(Element e, String attr, int min, int max) {
        String v = required(e, attr);
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException ex) {
            throw malformed(e.getLocalName() + " " + attr, "is \"" + v
                    + "\", not a number");
        }
        if (n < min || n > max) {
            throw malformed(e.getLocalName() + " " + attr, "is " + n + ", expected "
                    + min + ".." + max);
        }
        return n;
    }

    /**
     * Verifies the RIM as NVIDIA's verifier does: the enveloped XML-DSig (ecdsa-sha384, a sha384 digest of the whole
     * tag, c14n 1.1 as NVIDIA signs, or c14n 1.0 or exclusive c14n) with the public key of the first {@code KeyInfo}
     * certificate, and that certificate's chain to {@code root}. As NVIDIA's verifier does, the last embedded
     * certificate (the embedded copy of the root) is replaced by {@code root}.
     *
     * @param root the trusted reference-value root ("NVIDIA CoRIM signing Root CA")
     * @param at the time the chain must be valid at
     * @throws RimSignatureException with a one-line reason if the signature or the chain does not verify
     */
    public void verify(X509Certificate root, Instant at) throws RimSignatureException {
        RimXml.verify(xml, certificates, root, at);
    }

    /**
     * @param id the RIM's id on the RIM service (the tag does not carry it)
     * @param kind what the RIM is for (the tag does not say)
     * @return what the RIM states, for comparison or to sign again
     */
    public RimContent content(String id, RimContent.Kind kind) {
        return new RimContent(id, kind, colloquialVersion, measurements);
    }

    /** @return the bytes parsed */
    public byte[] xml() {
        return xml.clone();
    }

    /** @return the SWID {@code tagId} */
    public String tagId() {
        return tagId;
    }

    /** @return {@code Meta/@colloquialVersion}: the driver or VBIOS version, for example {@code 96.00.5E.00.01} */
    public String colloquialVersion() {
        return colloquialVersion;
    }

    /**
     * @param version a driver or VBIOS version as the report states it
     * @return whether it names this RIM's version; NVIDIA's verifier compares them lower-cased
     */
    public boolean isFor(String version) {
        return colloquialVersion.toLowerCase(Locale.ROOT).equals(version.toLowerCase(Locale.ROOT));
    }

    /** @return the measurement entries, active or not, in index order */
    public List<GoldenMeasurement> measurements() {
        return measurements;
    }

    /** @return the active entries, in index order */
    public List<GoldenMeasurement> activeMeasurements() {
        return measurements.stream().filter(GoldenMeasurement::active).toList();
    }

    /** @return the embedded certificates, signer first (NVIDIA's: L4 signer, L3, GH100 CA, root) */
    public List<X509Certificate> certificates() {
        return certificates;
    }

    @Override
    public String toString() {
        return "RIM " + tagId.substring(0, Math.min(16, tagId.length())) + "… version " + colloquialVersion + ", "
                + activeMeasurements().size() + " active of " + measurements.size();
    }

    /** @return the parse error, its message naming the RIM's element or attribute */
    static MalformedStructureException malformed(String field, String what) {
        return new MalformedStructureException(STRUCT, field, "RIM " + field + " " + what);
    }
}
