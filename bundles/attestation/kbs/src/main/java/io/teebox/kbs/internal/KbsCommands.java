package io.teebox.kbs.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.teebox.attestation.api.AttestationPolicies;

/**
 * The broker's admin operations from the shell. The shell is the process owner's, so it acts without the admin
 * token the HTTP admin API asks for; {@code kbs:token} prints one for curl.
 */
@Component(service = KbsCommands.class, immediate = true)
@GogoCommand(scope = "kbs", function = {"set", "get", "list", "policy", "setpolicy", "token", "pubkey", "unwrap",
    "refvalues", "setrefvalue"})
@Descriptor("Key broker: resources, the resource policy, reference values, admin tokens")
public final class KbsCommands {

    private final Broker broker;
    private final PolicyAdmin attestation;

    /**
     * @param broker the broker
     * @param policies the attestation service's policies
     */
    @Activate
    public KbsCommands(@Reference Broker broker, @Reference AttestationPolicies policies) {
        this.broker = broker;
        this.attestation = new PolicyAdmin(policies);
    }

    /** @return the reference values, JSON */
    @Descriptor("Show the attestation policies' reference values (format, name, accepted values), as GET "
            + "/kbs/v0/reference-value")
    public String refvalues(@Descriptor("only this policy") @Parameter(names = {"-p", "--policy"},
            absentValue = "") String policy) {
        try {
            return pretty(policy.isEmpty() ? attestation.referenceValues() : attestation.referenceValues(policy));
        } catch (KbsProblem p) {
            throw new IllegalArgumentException(p.getMessage());
        }
    }

    /** @return the policy's reference values after the change */
    @Descriptor("Set the accepted values of a reference value of an attestation policy (in force at once; a name "
            + "the format's verifier does not know or a value that is not hex is refused)")
    public String setrefvalue(@Descriptor("policy id") @Parameter(names = {"-p", "--policy"},
            absentValue = "default") String policy,
            @Descriptor("evidence format, for example sev-snp-report") String format,
            @Descriptor("reference value, for example measurement or mrtd") String name,
            @Descriptor("accepted values (hex)") String... values) {
        try {
            attestation.setReferenceValue(policy, format, name, List.of(values));
            return pretty(attestation.referenceValues(policy));
        } catch (KbsProblem p) {
            throw new IllegalArgumentException(p.getMessage());
        }
    }

    private static String pretty(com.google.gson.JsonElement e) {
        return new com.google.gson.GsonBuilder().setPrettyPrinting().create().toJson(e);
    }

    /** @return what was stored */
    @Descriptor("Store a resource (a secret), durably: the value as text, or @FILE for a file's bytes")
    public String set(@Descriptor("repository/type/tag") String path,
            @Descriptor("the value, or @FILE") String value) {
        ResourcePath p = ResourcePath.parse(path);
        byte[] v;
        if (value.startsWith("@")) {
            try {
                v = Files.readAllBytes(Path.of(value.substring(1)));
            } catch (IOException e) {
                throw new IllegalArgumentException("value: cannot read " + value.substring(1) + ": " + e.getMessage());
            }
        } else {
            v = value.getBytes(StandardCharsets.UTF_8);
        }
        broker.setResource(p, v);
        return "resource " + p + " set (" + v.length + " bytes)";
    }

    /** @return the value as text */
    @Descriptor("Show a resource's value as UTF-8 text (admin view, not wrapped)")
    public String get(@Descriptor("repository/type/tag") String path) {
        try {
            return Broker.utf8(broker.getResource(ResourcePath.parse(path)));
        } catch (KbsProblem p) {
            throw new IllegalArgumentException(p.getMessage());
        }
    }

    /** @return the resource paths */
    @Descriptor("List the resources held")
    public List<String> list() {
        return broker.resources();
    }

    /** @return the policy JSON */
    @Descriptor("Show the resource policy in force (JSON)")
    public String policy() {
        return broker.policy();
    }

    /** @return the policy set */
    @Descriptor("Set the resource policy from a JSON file; a bad policy is refused with the reason and the old one "
            + "stays")
    public String setpolicy(@Descriptor("policy file (JSON)") String file) {
        String json;
        try {
            json = Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("file: cannot read " + file + ": " + e.getMessage());
        }
        try {
            broker.setPolicy(json);
        } catch (KbsProblem p) {
            throw new IllegalArgumentException(p.getMessage());
        }
        return broker.policy();
    }

    /** @return the token */
    @Descriptor("Print an admin token (a JWT signed EdDSA with the admin key in the state directory) for the HTTP "
            + "admin API: Authorization: Bearer <token>")
    public String token(
            @Descriptor("lifetime in seconds (1..86400)")
            @Parameter(names = {"-t", "--lifetime"}, absentValue = "3600") int seconds) {
        if (seconds < 1 || seconds > 86_400) {
            throw new IllegalArgumentException("lifetime is " + seconds + "; accepted: 1..86400");
        }
        return broker.admin().token(Duration.ofSeconds(seconds));
    }

    /** @return the PEM */
    @Descriptor("Show the admin public key (PEM) and where the key pair is kept")
    public String pubkey() {
        return broker.admin().publicPem() + "kept in " + broker.admin().directory();
    }

    /** @return the secret as text */
    @Descriptor("Unwrap a resource's JWE (flattened JSON, as GET /kbs/v0/resource answers) with the TEE's private "
            + "key, as the guest does: prints the secret as UTF-8 text")
    public String unwrap(@Descriptor("the JWE file") String jwe,
            @Descriptor("the TEE's private key: PKCS#8 PEM (openssl genpkey), RSA or EC") String key) {
        String text;
        String pem;
        try {
            text = Files.readString(Path.of(jwe), StandardCharsets.UTF_8);
            pem = Files.readString(Path.of(key), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + e.getMessage());
        }
        byte[] der;
        try {
            der = java.util.Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key: " + key + " is not PEM: " + e.getMessage());
        }
        java.security.PrivateKey pk = null;
        for (String alg : new String[] {"RSA", "EC"}) {
            try {
                pk = java.security.KeyFactory.getInstance(alg).generatePrivate(
                        new java.security.spec.PKCS8EncodedKeySpec(der));
                break;
            } catch (java.security.GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        if (pk == null) {
            throw new IllegalArgumentException("key: " + key + " is not a PKCS#8 RSA or EC private key");
        }
        return Broker.utf8(TeeKeys.unwrap(text, pk));
    }
}
