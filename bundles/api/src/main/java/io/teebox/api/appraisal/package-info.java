/**
 * What a verifier makes of evidence, in the shape attestation results take (IETF RATS EAR / AR4SI): an overall tier,
 * a trustworthiness vector by claim, every check with its outcome and reason, typed claims read from the evidence,
 * the nonce it answered, and one appraisal per component of composite evidence.
 */
@Export
@Version("2.0.0")
package io.teebox.api.appraisal;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
