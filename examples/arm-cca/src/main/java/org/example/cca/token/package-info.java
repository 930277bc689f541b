/**
 * The Arm CCA attestation token (RMM specification DEN0137, "Realm attestation token" and "CCA attestation token";
 * draft-ffm-rats-cca-token): parser ({@link org.example.cca.token.CcaToken#parse}), signer
 * ({@link org.example.cca.token.CcaTokenSigner}) and verifier ({@link org.example.cca.token.CcaTokenVerifier}).
 * All CBOR goes through Jackson's streaming CBOR parser and generator. No dependency on teebox.
 */
@Version("1.0.0")
package org.example.cca.token;

import org.osgi.annotation.versioning.Version;
