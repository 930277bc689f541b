package io.teebox.kit.x509;

import org.bouncycastle.asn1.x509.KeyUsage;

/** The bits of the X.509 KeyUsage extension (RFC 5280 section 4.2.1.3). */
public enum KeyUsageBit {
    /** digitalSignature (0). */
    DIGITAL_SIGNATURE(KeyUsage.digitalSignature),
    /** nonRepudiation / contentCommitment (1). */
    NON_REPUDIATION(KeyUsage.nonRepudiation),
    /** keyEncipherment (2). */
    KEY_ENCIPHERMENT(KeyUsage.keyEncipherment),
    /** dataEncipherment (3). */
    DATA_ENCIPHERMENT(KeyUsage.dataEncipherment),
    /** keyAgreement (4). */
    KEY_AGREEMENT(KeyUsage.keyAgreement),
    /** keyCertSign (5). */
    KEY_CERT_SIGN(KeyUsage.keyCertSign),
    /** cRLSign (6). */
    CRL_SIGN(KeyUsage.cRLSign),
    /** encipherOnly (7). */
    ENCIPHER_ONLY(KeyUsage.encipherOnly),
    /** decipherOnly (8). */
    DECIPHER_ONLY(KeyUsage.decipherOnly);

    final int bcBit;

    KeyUsageBit(int bcBit) {
        this.bcBit = bcBit;
    }
}
