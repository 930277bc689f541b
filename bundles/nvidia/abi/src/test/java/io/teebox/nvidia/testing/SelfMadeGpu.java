package io.teebox.nvidia.testing;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.x509.KeyUsageBit;
import io.teebox.kit.x509.X509Authority;
import io.teebox.nvidia.abi.AttestationReport;
import io.teebox.nvidia.abi.DiceFwid;
import io.teebox.nvidia.abi.GetMeasurementsRequest;
import io.teebox.nvidia.abi.MeasurementsResponse;
import io.teebox.nvidia.abi.OpaqueData;
import io.teebox.nvidia.abi.OpaqueField;
import io.teebox.nvidia.abi.ReportSigner;

/**
 * A GPU identity made in the test: a fresh P-384 device key, a 5-certificate chain shaped like NVIDIA's (names,
 * P-384, ECDSA-SHA384, the DICE FWID extension on the leaf) under a self-made root, and reports it signs.
 */
public final class SelfMadeGpu {

    private final X509Authority root;
    private final List<X509Certificate> chain;
    private final KeyPair device;

    /**
     * @param fwid the 48-byte FWID the leaf carries
     */
    public SelfMadeGpu(byte[] fwid) {
        root = X509Authority.builder().subject("CN=NVIDIA Device Identity CA,O=teebox test").keyPair(
                EcKeys.generate("P-384")).ca().selfSigned();
        X509Authority identity = root.issue().subject("CN=NVIDIA GH100 Identity,O=teebox test").keyPair(
                EcKeys.generate("P-384")).ca().build();
        X509Authority ica = identity.issue().subject("CN=NVIDIA GH100 Provisioner ICA 1,O=teebox test").keyPair(
                EcKeys.generate("P-384")).ca().build();
        X509Authority brom = ica.issue().subject("CN=GH100 A01 GSP BROM,O=teebox test").keyPair(
                EcKeys.generate("P-384")).ca().build();
        device = EcKeys.generate("P-384");
        X509Certificate leaf = brom.issue().subject("CN=GH100 A01 GSP FMC LF,O=teebox test").keyPair(device)
                .endEntity().keyUsage(KeyUsageBit.DIGITAL_SIGNATURE)
                .extension(DiceFwid.OID, false, DiceFwid.extensionValue(device.getPublic(), fwid))
                .buildCertificate();
        chain = List.of(leaf, brom.certificate(), ica.certificate(), identity.certificate(), root.certificate());
    }

    /** @return the root */
    public X509Certificate root() {
        return root.certificate();
    }

    /** @return the chain, leaf first */
    public List<X509Certificate> chain() {
        return chain;
    }

    /** @return the chain's DER encodings, leaf first */
    public List<byte[]> chainDer() {
        return chain.stream().map(X509Authority::toDer).toList();
    }

    /** @return the device key pair */
    public KeyPair device() {
        return device;
    }

    /**
     * A report like the genuine one (its blocks and opaque data) but with another nonce and FWID, signed by the
     * device key.
     *
     * @param genuine the genuine report, whose blocks and opaque fields are reused
     * @param nonce the verifier's nonce
     * @param fwid the FWID to write into the opaque data
     * @return the signed report
     */
    public AttestationReport sign(AttestationReport genuine, byte[] nonce, byte[] fwid) {
        List<OpaqueField> fields = new ArrayList<>();
        for (OpaqueField f : genuine.opaqueData().fields()) {
            fields.add(f.type() == OpaqueField.FWID ? new OpaqueField(OpaqueField.FWID, fwid) : f);
        }
        MeasurementsResponse resp = MeasurementsResponse.unsigned(genuine.response().blocks(),
                genuine.response().nonce(), new OpaqueData(fields));
        return new ReportSigner(device.getPrivate()).sign(GetMeasurementsRequest.of(nonce), resp);
    }
}
