package io.teebox.nvidia.rim;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

import io.teebox.kit.crypto.Digests;
import io.teebox.kit.hex.Hex;
import io.teebox.nvidia.rim.internal.RimXml;

/**
 * Writes and signs RIMs shaped like NVIDIA's: the same elements, attributes, namespace prefixes and layout as the
 * genuine GH100 RIMs ({@code SoftwareIdentity name="GH100"}, {@code Entity} "NVIDIA Corporation", {@code Meta} with
 * the RIM-IM binding {@code BindingSpec="RIMIM"} 1.01 and NVIDIA's PCI vendor id 5703, one {@code Resource} per
 * entry), then an enveloped XML-DSig (ecdsa-sha384, sha384, c14n 1.1) with the signing chain in {@code KeyInfo}.
 * The {@code tagId} is the SHA-384 of the RIM's id (NVIDIA's are 48-byte hex values too; how NVIDIA derives them is
 * not published). Thread-safe.
 */
public final class RimSigner {

    private final PrivateKey key;
    private final List<X509Certificate> chain;

    /**
     * @param key the signer's private key (P-384), "HCC RIM L4 Signer"'s
     * @param chain the certificates to embed, signer first (NVIDIA embeds 4: the signer, L3, the GH100 CA, the root)
     */
    public RimSigner(PrivateKey key, List<X509Certificate> chain) {
        this.key = Objects.requireNonNull(key, "key");
        this.chain = List.copyOf(chain);
        if (this.chain.isEmpty()) {
            throw new IllegalArgumentException("chain: the signer's certificate is needed");
        }
    }

    /**
     * @param content what the RIM states
     * @return the signed SWID tag, UTF-8 XML without a declaration, as the RIM service serves it
     * @throws IllegalArgumentException if an entry's digests differ in length
     */
    public byte[] sign(RimContent content) {
        byte[] unsigned = unsigned(content).getBytes(StandardCharsets.UTF_8);
        return RimXml.sign(unsigned, key, chain);
    }

    /**
     * @param content what the RIM states
     * @return the SWID tag before it is signed
     */
    public static String unsigned(RimContent content) {
        String product = "GH100";
        StringBuilder x = new StringBuilder(16384);
        x.append("<SoftwareIdentity xmlns=\"").append(RimXml.SWID_NS).append("\" xmlns:ns0=\"").append(RimXml.SWID_NS)
                .append("\" xmlns:ns2=\"").append(RimXml.SHA384_NS).append("\" corpus=\"false\" name=\"")
                .append(product).append("\" patch=\"false\" supplemental=\"false\" tagId=\"").append(tagId(content))
                .append("\" version=\"1.0\" tagVersion=\"0\">\n");
        x.append("    <ns0:Entity name=\"NVIDIA Corporation\" role=\"softwareCreator tagCreator\"/>\n");
        x.append("    <ns0:Meta xmlns:ns1=\"").append(RimXml.RIMIM_NS).append("\" colloquialVersion=\"")
                .append(escape(content.colloquialVersion())).append("\" edition=\"GPU\" product=\"").append(product)
                .append("\" revision=\"r1\" PayloadType=\"direct\" ns1:BindingSpec=\"RIMIM\""
                        + " ns1:BindingSpecVersion=\"1.01\" ns1:PlatformManufacturerId=\"5703\""
                        + " ns1:PlatformManufacturerStr=\"NVIDIA Corporation\" ns1:PlatformModel=\"")
                .append(product).append("\" ns1:FirmwareManufacturer=\"NVIDIA Corporation\""
                        + " ns1:FirmwareManufacturerId=\"5703\"/>\n");
        x.append("    <ns0:Payload xmlns:SHA384=\"").append(RimXml.SHA384_NS).append("\">\n");
        for (GoldenMeasurement m : content.measurements()) {
            List<byte[]> values = m.alternatives();
            int size = values.get(0).length;
            x.append("        <ns0:Resource type=\"Measurement\" index=\"").append(m.index()).append("\" active=\"")
                    .append(m.active() ? "True" : "False").append("\" alternatives=\"").append(values.size())
                    .append('"');
            for (int i = 0; i < values.size(); i++) {
                if (values.get(i).length != size) {
                    throw new IllegalArgumentException("measurement " + m.index() + " (" + m.name() + "): value " + i
                            + " is " + values.get(i).length + " bytes, value 0 is " + size);
                }
                x.append(" ns2:Hash").append(i).append("=\"").append(Hex.encode(values.get(i))).append('"');
            }
            x.append(" name=\"").append(escape(m.name())).append("\" size=\"").append(size).append("\"/>\n");
        }
        x.append("    </ns0:Payload>\n</SoftwareIdentity>");
        return x.toString();
    }

    /**
     * @param content a RIM's content
     * @return the tagId teebox gives it: hex SHA-384 of its id
     */
    public static String tagId(RimContent content) {
        return Hex.encode(Digests.sha384(content.id().getBytes(StandardCharsets.UTF_8)));
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace("\"", "&quot;").replace(">", "&gt;");
    }
}
