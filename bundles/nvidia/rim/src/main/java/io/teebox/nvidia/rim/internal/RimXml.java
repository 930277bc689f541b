package io.teebox.nvidia.rim.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import javax.xml.XMLConstants;
import javax.xml.crypto.MarshalException;
import javax.xml.crypto.dsig.CanonicalizationMethod;
import javax.xml.crypto.dsig.DigestMethod;
import javax.xml.crypto.dsig.Reference;
import javax.xml.crypto.dsig.SignatureMethod;
import javax.xml.crypto.dsig.SignedInfo;
import javax.xml.crypto.dsig.Transform;
import javax.xml.crypto.dsig.XMLSignature;
import javax.xml.crypto.dsig.XMLSignatureException;
import javax.xml.crypto.dsig.XMLSignatureFactory;
import javax.xml.crypto.dsig.dom.DOMSignContext;
import javax.xml.crypto.dsig.dom.DOMValidateContext;
import javax.xml.crypto.dsig.keyinfo.KeyInfo;
import javax.xml.crypto.dsig.keyinfo.KeyInfoFactory;
import javax.xml.crypto.dsig.spec.C14NMethodParameterSpec;
import javax.xml.crypto.dsig.spec.TransformParameterSpec;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.x509.CertificateChainValidator;
import io.teebox.nvidia.rim.RimSignatureException;

/**
 * The XML side of RIMs: a hardened DOM parser, the enveloped XML-DSig NVIDIA's RIMs carry (verified and made with the
 * JDK's {@code javax.xml.crypto}) and serialization.
 */
public final class RimXml {

    /** ISO/IEC 19770-2:2015 SWID tags. */
    public static final String SWID_NS = "http://standards.iso.org/iso/19770/-2/2015/schema.xsd";
    /** The TCG RIM information model (Meta's BindingSpec attributes). */
    public static final String RIMIM_NS =
            "https://trustedcomputinggroup.org/resource/tcg-reference-integrity-manifest-rim-information-model/";
    /** The namespace of the Hash0..HashN attributes. */
    public static final String SHA384_NS = "http://www.w3.org/2001/04/xmlenc#sha384";
    /** XML-DSig. */
    public static final String DSIG_NS = XMLSignature.XMLNS;
    /** What NVIDIA's RIMs are canonicalized with (SignedInfo and the reference's last transform). */
    public static final String C14N_11 = CanonicalizationMethod.INCLUSIVE_11;

    private static final String STRUCT = "RIM";

    private RimXml() {
    }

    /**
     * Parses XML with secure processing: no DOCTYPE at all (so no entities, internal or external), no XInclude, no
     * external schema or DTD access.
     *
     * @param xml the bytes
     * @return the namespace-aware document
     * @throws MalformedStructureException if the bytes are not well-formed XML or carry a DOCTYPE
     */
    public static Document parse(byte[] xml) {
        try {
            DocumentBuilder b = factory().newDocumentBuilder();
            b.setErrorHandler(new ErrorHandler() {
                @Override
                public void warning(SAXParseException e) {
                }

                @Override
                public void error(SAXParseException e) throws SAXException {
                    throw e;
                }

                @Override
                public void fatalError(SAXParseException e) throws SAXException {
                    throw e;
                }
            });
            b.setEntityResolver((publicId, systemId) -> {
                throw new SAXException("external entity " + systemId + " refused");
            });
            return b.parse(new ByteArrayInputStream(xml));
        } catch (SAXParseException e) {
            throw malformed("XML", "is not well-formed at line " + e.getLineNumber()
                    + " column " + e.getColumnNumber() + ": " + e.getMessage());
        } catch (SAXException | IOException e) {
            throw malformed("XML", "cannot be read: " + e.getMessage());
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("no XML parser: " + e.getMessage(), e);
        }
    }

    private static DocumentBuilderFactory factory() {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setXIncludeAware(false);
        f.setExpandEntityReferences(false);
        try {
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the XML parser cannot be hardened: " + e.getMessage(), e);
        }
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        return f;
    }

    /**
     * Verifies a RIM's enveloped signature and its signer's chain.
     *
     * @param xml the RIM
     * @param embedded the certificates of its KeyInfo, signer first
     * @param root the trusted root
     * @param at the validation time
     * @throws RimSignatureException with the reason
     */
    public static void verify(byte[] xml, List<X509Certificate> embedded, X509Certificate root, Instant at)
            throws RimSignatureException {
        if (root == null) {
            throw new RimSignatureException("no RIM root certificate given");
        }
        Document doc = parse(xml);
        Element sig = signatureOf(doc);
        if (embedded.isEmpty()) {
            throw new RimSignatureException("the RIM's ds:KeyInfo carries no ds:X509Certificate");
        }
        List<X509Certificate> chain = new ArrayList<>(embedded);
        X509Certificate last = chain.get(chain.size() - 1);
        if (chain.size() > 1 && last.getSubjectX500Principal().equals(last.getIssuerX500Principal())) {
            chain.remove(chain.size() - 1);
        }
        chain.add(root);
        CertificateChainValidator.Result r = CertificateChainValidator.builder().trustAnchors(List.of(root)).at(at)
                .build().validate(chain);
        if (!r.valid()) {
            throw new RimSignatureException("the RIM signing chain does not validate to "
                    + root.getSubjectX500Principal().getName() + ": " + r.problems().get(0).message());
        }
        X509Certificate signer = embedded.get(0);
        XMLSignatureFactory fac = XMLSignatureFactory.getInstance("DOM");
        DOMValidateContext ctx = new DOMValidateContext(signer.getPublicKey(), sig);
        ctx.setProperty("org.jcp.xml.dsig.secureValidation", Boolean.TRUE);
        try {
            XMLSignature signature = fac.unmarshalXMLSignature(ctx);
            checkAlgorithms(signature.getSignedInfo());
            if (!signature.getSignatureValue().validate(ctx)) {
                throw new RimSignatureException("the RIM's ds:SignatureValue does not verify with the key of "
                        + signer.getSubjectX500Principal().getName());
            }
            for (Object o : signature.getSignedInfo().getReferences()) {
                Reference ref = (Reference) o;
                if (!ref.validate(ctx)) {
                    throw new RimSignatureException("the RIM's content does not match its signed sha384 digest "
                            + "(the tag was changed after signing)");
                }
            }
        } catch (MarshalException | XMLSignatureException e) {
            throw new RimSignatureException("the RIM's ds:Signature cannot be checked: " + e.getMessage());
        } catch (ClassCastException e) {
            throw new RimSignatureException("the RIM's ds:Signature has an unexpected reference");
        }
    }

    private static Element signatureOf(Document doc) throws RimSignatureException {
        Element root = doc.getDocumentElement();
        Element found = null;
        for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && DSIG_NS.equals(e.getNamespaceURI()) && "Signature".equals(e.getLocalName())) {
                if (found != null) {
                    throw new RimSignatureException("the RIM has more than one ds:Signature");
                }
                found = e;
            }
        }
        if (found == null) {
            throw new RimSignatureException("the RIM has no ds:Signature under SoftwareIdentity");
        }
        NodeList all = doc.getElementsByTagNameNS(DSIG_NS, "Signature");
        if (all.getLength() != 1) {
            throw new RimSignatureException("the RIM has " + all.getLength() + " ds:Signature elements, expected 1");
        }
        return found;
    }

    private static void checkAlgorithms(SignedInfo si) throws RimSignatureException {
        String c14n = si.getCanonicalizationMethod().getAlgorithm();
        if (!C14N_11.equals(c14n) && !CanonicalizationMethod.EXCLUSIVE.equals(c14n)
                && !CanonicalizationMethod.INCLUSIVE.equals(c14n)) {
            throw new RimSignatureException("the RIM's CanonicalizationMethod is " + c14n + ", expected " + C14N_11);
        }
        String sm = si.getSignatureMethod().getAlgorithm();
        if (!SignatureMethod.ECDSA_SHA384.equals(sm)) {
            throw new RimSignatureException("the RIM's SignatureMethod is " + sm + ", expected "
                    + SignatureMethod.ECDSA_SHA384);
        }
        if (si.getReferences().size() != 1) {
            throw new RimSignatureException("the RIM's SignedInfo has " + si.getReferences().size()
                    + " references, expected 1 (URI=\"\")");
        }
        Reference ref = (Reference) si.getReferences().get(0);
        if (ref.getURI() == null || !ref.getURI().isEmpty()) {
            throw new RimSignatureException("the RIM's Reference URI is \"" + ref.getURI()
                    + "\", expected \"\" (the whole tag)");
        }
        String dm = ref.getDigestMethod().getAlgorithm();
        if (!DigestMethod.SHA384.equals(dm)) {
            throw new RimSignatureException("the RIM's DigestMethod is " + dm + ", expected " + DigestMethod.SHA384);
        }
        List<?> transforms = ref.getTransforms();
        if (transforms.isEmpty() || !Transform.ENVELOPED.equals(((Transform) transforms.get(0)).getAlgorithm())) {
            throw new RimSignatureException("the RIM's Reference does not start with the enveloped-signature "
                    + "transform");
        }
    }

    /**
     * Signs a RIM document as NVIDIA's are signed: an enveloped ds:Signature appended to SoftwareIdentity, c14n 1.1,
     * ecdsa-sha384 over a sha384 digest of the whole tag, the chain in KeyInfo/X509Data, base64 in 64-character
     * lines as NVIDIA's.
     *
     * @param unsignedText the unsigned tag's bytes, whose text the result keeps
     * @param key the signer's private key (P-384)
     * @param chain the certificates to embed, signer first
     * @return the signed tag, serialized
     */
    public static byte[] sign(byte[] unsignedText, PrivateKey key, List<X509Certificate> chain) {
        Document doc = parse(unsignedText);
        try {
            XMLSignatureFactory fac = XMLSignatureFactory.getInstance("DOM");
            Reference ref = fac.newReference("", fac.newDigestMethod(DigestMethod.SHA384, null),
                    List.of(fac.newTransform(Transform.ENVELOPED, (TransformParameterSpec) null),
                            fac.newTransform(C14N_11, (TransformParameterSpec) null)),
                    null, null);
            SignedInfo si = fac.newSignedInfo(
                    fac.newCanonicalizationMethod(C14N_11, (C14NMethodParameterSpec) null),
                    fac.newSignatureMethod(SignatureMethod.ECDSA_SHA384, null), List.of(ref));
            KeyInfoFactory kif = fac.getKeyInfoFactory();
            KeyInfo ki = kif.newKeyInfo(List.of(kif.newX509Data(List.copyOf(chain))));
            Element root = doc.getDocumentElement();
            DOMSignContext ctx = new DOMSignContext(jdkKey(key), root);
            ctx.setDefaultNamespacePrefix("ds");
            fac.newXMLSignature(si, ki).sign(ctx);
            NodeList certs = doc.getElementsByTagNameNS(DSIG_NS, "X509Certificate");
            for (int i = 0; i < certs.getLength(); i++) {
                certs.item(i).setTextContent(base64Lines(chain.get(i).getEncoded()));
            }
            // The signature covers the canonical form, so the tag keeps its own text (NVIDIA's attribute order,
            // which a DOM serializer would sort) and only the signature element is serialized and spliced in.
            Element signature = (Element) doc.getElementsByTagNameNS(DSIG_NS, "Signature").item(0);
            String text = new String(unsignedText, java.nio.charset.StandardCharsets.UTF_8);
            int end = text.lastIndexOf("</");
            return (text.substring(0, end) + new String(serialize(signature), java.nio.charset.StandardCharsets.UTF_8)
                    + text.substring(end)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | MarshalException | XMLSignatureException e) {
            throw new IllegalStateException("cannot sign the RIM: " + e.getMessage(), e);
        }
    }

    /** The JDK's XML-DSig signs with the JDK's EC signature; a Bouncy Castle key is translated to it. */
    private static PrivateKey jdkKey(PrivateKey key) throws GeneralSecurityException {
        if (!"EC".equals(key.getAlgorithm()) && !"ECDSA".equals(key.getAlgorithm())) {
            throw new IllegalArgumentException("the RIM signing key must be an EC (P-384) key, found "
                    + key.getAlgorithm());
        }
        return KeyFactory.getInstance("EC", "SunEC").generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
    }

    private static String base64Lines(byte[] der) {
        String b64 = Base64.getEncoder().encodeToString(der);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < b64.length(); i += 64) {
            sb.append(b64, i, Math.min(b64.length(), i + 64)).append('\n');
        }
        return sb.toString();
    }

    /**
     * @param doc a document or an element
     * @return its bytes, UTF-8, without an XML declaration (as NVIDIA's RIMs)
     */
    public static byte[] serialize(Node doc) {
        try {
            TransformerFactory tf = TransformerFactory.newInstance();
            tf.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            Transformer t = tf.newTransformer();
            t.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
            t.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
            t.setOutputProperty(OutputKeys.INDENT, "no");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            t.transform(new DOMSource(doc), new StreamResult(out));
            return out.toByteArray();
        } catch (TransformerException e) {
            throw new IllegalStateException("cannot serialize the RIM: " + e.getMessage(), e);
        }
    }

    /** @return the parse error, its message naming the RIM's element or attribute */
    public static MalformedStructureException malformed(String field, String what) {
        return new MalformedStructureException(STRUCT, field, "RIM " + field + " " + what);
    }
}
