/**
 * Cryptographic building blocks: SHA-2 digests, HMAC, the SP 800-108 KDF, AES-CTR, the XTS page cipher with an address tweak, EC keys, ECDH and signatures on Bouncy Castle.
 */
@Export
@Version("1.1.0")
package io.teebox.kit.crypto;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
