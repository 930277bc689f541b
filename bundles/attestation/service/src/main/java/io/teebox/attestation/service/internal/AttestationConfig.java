package io.teebox.attestation.service.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The attestation service's configuration (pid {@code io.teebox.attestation.service}). */
@ObjectClassDefinition(name = "teebox attestation service",
        description = "Challenges and EAR tokens on the platform's HTTP server under /as/v1")
@interface AttestationConfig {

    @AttributeDefinition(name = "Policy directory", description = "Directory of the policy files (*.json), relative "
            + "to the working directory; re-read when a file changes")
    String policies_directory() default "config/attestation-policies";

    @AttributeDefinition(name = "Policy poll interval", description = "How often the policy directory is read, in "
            + "milliseconds (100..60000)")
    int policies_poll_millis() default 1000;

    @AttributeDefinition(name = "Nonce lifetime", description = "How long a challenge nonce is valid, in seconds "
            + "(1..86400)")
    int nonce_lifetime_seconds() default 300;

    @AttributeDefinition(name = "Outstanding nonces", description = "How many nonces may be outstanding at once; the "
            + "oldest go first beyond that (1..1000000)")
    int nonce_capacity() default 10000;

    @AttributeDefinition(name = "Token lifetime", description = "How long an EAR token is valid (exp - iat), in "
            + "seconds (1..86400)")
    int token_lifetime_seconds() default 300;

    @AttributeDefinition(name = "Trust the emulated vendors", description = "Trust the roots of the emulated AMD KDS "
            + "and Intel PCS of this machine (collateral sources with collateral.emulated=true)")
    boolean trust_emulated_roots() default true;

    @AttributeDefinition(name = "Trusted root files", description = "Further trusted root certificates: PEM files "
            + "(AMD ARKs, Intel's SGX root CA)")
    String[] trusted_roots() default {};

    @AttributeDefinition(name = "Signing key file", description = "A P-384 private key (PEM, EC PRIVATE KEY or "
            + "PKCS#8) to sign tokens with instead of the key kept in the state directory; needs Signing "
            + "certificates")
    String signing_key() default "";

    @AttributeDefinition(name = "Signing certificates file", description = "The signing key's certificate chain "
            + "(PEM, leaf first, each signed by the next): tokens and the JWKS then carry it as x5c")
    String signing_certificates() default "";
}
