/**
 * The attestation service in-process: challenges, signed EAR tokens for evidence bound to runtime data, their
 * verification, and the report data a guest must put in its evidence.
 */
@Export
@Version("1.1.0")
package io.teebox.attestation.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
