/**
 * The guest's side of Trustee's KBS protocol (RCAR) over HTTP, for attesters in other bundles: the TEE key and its
 * evidence are the caller's, so an attester whose key lives in a vTPM uses it as one with an ephemeral key does.
 */
@Export
@Version("1.0.0")
package io.teebox.kbs.client;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
