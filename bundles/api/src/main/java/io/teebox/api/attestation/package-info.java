/**
 * Evidence for a guest with caller-supplied report data, and the verifiers that appraise it.
 */
@Export
@Version("2.1.0")
package io.teebox.api.attestation;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
