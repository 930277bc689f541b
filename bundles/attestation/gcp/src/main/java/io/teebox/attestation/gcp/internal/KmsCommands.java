package io.teebox.attestation.gcp.internal;

import java.util.ArrayList;
import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The key service's keys from the shell, as the project's owner (the shell is the process owner's). */
@Component(service = KmsCommands.class, immediate = true)
@GogoCommand(scope = "gcp", function = {"key", "keys"})
@Descriptor("GCP: the Cloud KMS-style key service's keys")
public final class KmsCommands {

    /** A key as listed: its name, when it was made and its condition (never its material). */
    public record KeyRow(String name, String created, String condition) {
    }

    private final GcpServices services;

    /** @param services the emulated project's services */
    @Activate
    public KmsCommands(@Reference GcpServices services) {
        this.services = services;
    }

    /**
     * @return the key
     * @throws IllegalArgumentException for a bad name or condition, nothing stored then
     */
    @Descriptor("Create a key (new AES-256 material) or change an existing key's IAM condition (its material stays)")
    public KeyRow key(
            @Descriptor("projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>") String name,
            @Descriptor("the condition over the attestation token, e.g. \"assertion.dbgstat == 'disabled-since-boot'\"")
            String condition) {
        KmsStore.Key k = services.kms().store().put(name, condition);
        return new KeyRow(k.name(), k.created().toString(), k.condition().source());
    }

    /** @return the keys */
    @Descriptor("List the key service's keys and their conditions")
    public List<KeyRow> keys() {
        List<KeyRow> out = new ArrayList<>();
        services.kms().store().all().values().stream().sorted((a, b) -> a.name().compareTo(b.name())).forEach(k ->
                out.add(new KeyRow(k.name(), k.created().toString(), k.condition().source())));
        return out;
    }
}
