package io.teebox.tpm.vtpm.internal;

import java.security.PrivateKey;

import io.teebox.tpm.abi.Tpm2bName;
import io.teebox.tpm.abi.TpmtPublic;

/**
 * A loaded object: its public area, its sensitive part (authValue, seedValue, private key or sealed data) and the
 * hierarchy it belongs to.
 */
final class TpmObject {

    final TpmtPublic publicArea;
    final byte[] authValue;
    /** The storage seed of a parent (protects its children) or the obfuscation value of a keyed-hash object. */
    final byte[] seedValue;
    /** RSA prime p, ECC d or sealed data: TPMU_SENSITIVE_COMPOSITE's content. */
    final byte[] sensitive;
    final PrivateKey privateKey;
    final int hierarchy;
    final byte[] qualifiedName;
    final Tpm2bName name;

    TpmObject(TpmtPublic publicArea, byte[] authValue, byte[] seedValue, byte[] sensitive, PrivateKey privateKey,
            int hierarchy, byte[] parentQualifiedName) {
        this.publicArea = publicArea;
        this.authValue = authValue.clone();
        this.seedValue = seedValue.clone();
        this.sensitive = sensitive.clone();
        this.privateKey = privateKey;
        this.hierarchy = hierarchy;
        this.name = publicArea.name();
        byte[] n = name.name();
        byte[] qn = publicArea.nameAlg().hash(parentQualifiedName, n);
        byte[] q = new byte[2 + qn.length];
        System.arraycopy(n, 0, q, 0, 2);
        System.arraycopy(qn, 0, q, 2, qn.length);
        this.qualifiedName = q;
    }

    /** The same object with a qualified name kept from a saved context or state. */
    private TpmObject(TpmObject o, byte[] qualifiedName) {
        this.publicArea = o.publicArea;
        this.authValue = o.authValue;
        this.seedValue = o.seedValue;
        this.sensitive = o.sensitive;
        this.privateKey = o.privateKey;
        this.hierarchy = o.hierarchy;
        this.name = o.name;
        this.qualifiedName = qualifiedName.clone();
    }

    TpmObject withQualifiedName(byte[] qn) {
        return new TpmObject(this, qn);
    }

    boolean isStorageParent() {
        return publicArea.has(TpmtPublic.RESTRICTED) && publicArea.has(TpmtPublic.DECRYPT)
                && !publicArea.has(TpmtPublic.SIGN);
    }
}
