/**
 * PLACEHOLDER written by the cca-rmm helper so the backend compiles and its tests run before the cca-token helper's
 * package lands; it follows the public surface of the agreed layout (docs: /work/notes/cca-layout.md) and is to be
 * replaced wholesale by that package. The CCA attestation token: the tag-399 collection of the platform token
 * (signed with the CPAK) and the realm token (signed with the RAK), COSE_Sign1 with ES384, claims in CBOR.
 */
@Version("1.0.0")
package org.example.cca.token;

import org.osgi.annotation.versioning.Version;
