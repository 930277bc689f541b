/**
 * X.509 certificate and CRL authority on Bouncy Castle, for emulated vendor key hierarchies, and one certificate-chain
 * validator (validity of every certificate, signatures, CA rules, CRLs, at an injected time) for the verifiers, and a
 * bounded cache of parses and verdicts keyed by content ({@link io.teebox.kit.x509.VerificationCache}).
 */
@Export
@Version("1.2.0")
package io.teebox.kit.x509;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
