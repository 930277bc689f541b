package io.teebox.itests.contract;

import java.util.List;

import org.osgi.framework.BundleContext;

import io.teebox.tck.OsgiSubject;

/** An AMD backend under contract: a relying party trusts the platform certificate its verifier roots at. */
final class AmdSubject extends OsgiSubject {

    private final String root;

    /**
     * @param context the framework
     * @param teeType sev, sev-es or sev-snp
     * @param root the platform certificate the verifier trusts: {@code cek} (SEV's PEK is signed by it) or
     *            {@code ark} (the root of an SNP VCEK chain)
     */
    AmdSubject(BundleContext context, String teeType, String root) {
        super(context, teeType);
        this.root = root;
    }

    @Override
    public List<byte[]> trustedRoots() {
        byte[] cert = backend().platformCertificates().get(root);
        if (cert == null) {
            throw new AssertionError(teeType() + " exports no '" + root + "' certificate: "
                    + backend().platformCertificates().keySet());
        }
        return List.of(cert);
    }
}
