package io.teebox.disk.cvm.internal;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonObject;

import io.teebox.disk.image.ConfidentialDiskImage;
import io.teebox.disk.image.CpioEntry;
import io.teebox.disk.luks2.CryptVolume;
import io.teebox.disk.luks2.Kdf;
import io.teebox.disk.luks2.Luks2Exception;
import io.teebox.disk.luks2.Luks2Image;
import io.teebox.disk.luks2.NewKeyslot;
import io.teebox.disk.luks2.SystemdTpm2Token;
import io.teebox.tpm.abi.TpmException;
import io.teebox.tpm.guest.GuestTpm;

/**
 * The initramfs's unlock stage, as systemd-cryptsetup with a {@code systemd-tpm2} token does it, and Azure's secure
 * key release where there is none: unseal the root key from the vTPM (the PCRs must be the ones it was sealed to);
 * if that is refused or there is no token (first boot), attest to the key broker and get the key wrapped to the vTPM;
 * after a release, enroll the vTPM (a new keyslot whose passphrase is sealed to the PCRs, in a LUKS2 token) so the
 * next boot needs no broker.
 */
final class UnlockStage {

    /**
     * What the stage did.
     *
     * @param opened whether the root volume opened
     * @param by "vTPM" or "key broker" when it opened
     * @param steps what it did, one line each, refusals with their reasons
     * @param refusal why the root stays locked, or null
     * @param rootFiles the root's file names when it opened
     */
    record Outcome(boolean opened, String by, List<String> steps, String refusal, List<String> rootFiles) {
    }

    private final GuestTpm tpm;
    private final VtpmAgent agent;
    private final String tee;
    private final int[] pcrs;

    UnlockStage(GuestTpm tpm, VtpmAgent agent, String tee, int[] pcrs) {
        this.tpm = tpm;
        this.agent = agent;
        this.tee = tee;
        this.pcrs = pcrs.clone();
    }

    Outcome unlock(Path image) {
        List<String> steps = new ArrayList<>();
        ConfidentialDiskImage disk = ConfidentialDiskImage.open(image);
        Luks2Image luks = ConfidentialDiskImage.luks(image);
        for (Map.Entry<Integer, JsonObject> t : luks.tokens().entrySet()) {
            if (!SystemdTpm2Token.TYPE.equals(t.getValue().get("type").getAsString())) {
                continue;
            }
            SystemdTpm2Token token = SystemdTpm2Token.parse(t.getValue());
            try {
                byte[] secret = tpm.unseal(token.blob(), token.pcrs());
                steps.add("token " + t.getKey() + " (systemd-tpm2, PCRs " + Arrays.toString(token.pcrs())
                        + "): the vTPM unsealed the key of keyslot " + token.keyslots());
                List<CpioEntry> files = disk.unlockRoot(secret);
                Arrays.fill(secret, (byte) 0);
                steps.add("root volume " + luks.uuid() + " opened");
                return new Outcome(true, "vTPM", steps, null, names(files));
            } catch (TpmException e) {
                steps.add("token " + t.getKey() + " (systemd-tpm2, PCRs " + Arrays.toString(token.pcrs())
                        + "): the vTPM refused to unseal: " + e.getMessage());
            }
        }
        if (steps.isEmpty()) {
            steps.add("no systemd-tpm2 token: first boot, the key broker holds the root key");
        }
        String resource = CvmDisks.RESOURCE + luks.uuid();
        VtpmAgent.Released released;
        try {
            released = agent.fetch(tpm, tee, pcrs, resource);
        } catch (IllegalStateException e) {
            String why = "the key broker refused " + resource + ": " + e.getMessage();
            steps.add(why);
            return new Outcome(false, null, steps, "the root volume stays locked: " + why, List.of());
        }
        steps.add("the key broker released " + resource + " (" + released.format() + " evidence: HCL report, "
                + "TPM quote of PCRs " + Arrays.toString(pcrs) + "), wrapped RSA-OAEP-256 to the vTPM's key; "
                + "TPM2_RSA_Decrypt unwrapped it");
        byte[] secret = released.secret();
        CryptVolume volume;
        try {
            volume = luks.unlock(secret);
        } catch (Luks2Exception e) {
            String why = "the released key opens no keyslot: " + e.getMessage();
            steps.add(why);
            return new Outcome(false, null, steps, "the root volume stays locked: " + why, List.of());
        }
        enroll(luks, volume, steps);
        List<CpioEntry> files = disk.unlockRoot(secret);
        Arrays.fill(secret, (byte) 0);
        steps.add("root volume " + luks.uuid() + " opened");
        return new Outcome(true, "key broker", steps, null, names(files));
    }

    /** Seals a new keyslot's passphrase to the PCRs and keeps it in a systemd-tpm2 token, replacing older ones. */
    private void enroll(Luks2Image luks, CryptVolume volume, List<String> steps) {
        for (Map.Entry<Integer, JsonObject> t : luks.tokens().entrySet()) {
            if (SystemdTpm2Token.TYPE.equals(t.getValue().get("type").getAsString())) {
                SystemdTpm2Token old = SystemdTpm2Token.parse(t.getValue());
                luks.removeToken(t.getKey());
                for (int slot : old.keyslots()) {
                    luks.removeKeyslot(slot);
                }
            }
        }
        byte[] passphrase = new byte[32];
        new SecureRandom().nextBytes(passphrase);
        byte[] blob = tpm.seal(passphrase, pcrs);
        int slot = luks.addKeyslot(volume.volumeKey(), new NewKeyslot(new Kdf.Pbkdf2(1000), passphrase));
        Arrays.fill(passphrase, (byte) 0);
        int token = luks.addToken(SystemdTpm2Token.of(List.of(slot), blob, pcrs).toJson());
        steps.add("enrolled the vTPM: keyslot " + slot + " with a passphrase sealed to PCRs " + Arrays.toString(pcrs)
                + " (sha256), in LUKS2 token " + token + " (systemd-tpm2)");
    }

    private static List<String> names(List<CpioEntry> files) {
        List<String> out = new ArrayList<>();
        files.forEach(f -> out.add(f.name()));
        return out;
    }
}
