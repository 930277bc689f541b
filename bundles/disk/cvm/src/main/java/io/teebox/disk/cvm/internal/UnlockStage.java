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
import io.teebox.disk.luks2.Kdf;
import io.teebox.disk.luks2.Luks2Exception;
import io.teebox.disk.luks2.Luks2Image;
import io.teebox.disk.luks2.NewKeyslot;
import io.teebox.disk.luks2.SystemdTpm2Token;
import io.teebox.tpm.abi.PolicyDigests;
import io.teebox.tpm.abi.TpmAlgId;
import io.teebox.tpm.abi.TpmException;
import io.teebox.tpm.abi.TpmlPcrSelection;
import io.teebox.tpm.abi.TpmsPcrSelection;
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
        String uuid = ConfidentialDiskImage.rootHeader(image, false, Luks2Image::uuid);
        Map<Integer, JsonObject> tokens = ConfidentialDiskImage.rootHeader(image, false, Luks2Image::tokens);
        for (Map.Entry<Integer, JsonObject> t : tokens.entrySet()) {
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
                steps.add("root volume " + uuid + " opened");
                return new Outcome(true, "vTPM", steps, null, names(files));
            } catch (TpmException e) {
                steps.add("token " + t.getKey() + " (systemd-tpm2, PCRs " + Arrays.toString(token.pcrs())
                        + "): the vTPM refused to unseal: " + e.getMessage());
            }
        }
        if (steps.isEmpty()) {
            steps.add("no systemd-tpm2 token: first boot, the key broker holds the root key");
        }
        String resource = CvmDisks.RESOURCE + uuid;
        VtpmAgent.Released released;
        try {
            released = agent.fetch(tpm, tee, pcrs, resource);
        } catch (IllegalStateException e) {
            String why = "the key broker refused the root key: " + e.getMessage();
            steps.add(why);
            return new Outcome(false, null, steps, "the root volume stays locked: " + why, List.of());
        }
        steps.add("the key broker released " + resource + " (" + released.format() + " evidence: hardware report "
                + "binding the AK, TPM quote of PCRs " + Arrays.toString(pcrs) + "), wrapped RSA-OAEP-256 to the "
                + "vTPM's key; TPM2_RSA_Decrypt unwrapped it");
        byte[] secret = released.secret();
        List<CpioEntry> files;
        try {
            files = disk.unlockRoot(secret);
        } catch (Luks2Exception e) {
            String why = "the released key opens no keyslot: " + e.getMessage();
            steps.add(why);
            return new Outcome(false, null, steps, "the root volume stays locked: " + why, List.of());
        }
        byte[] volumeKey = ConfidentialDiskImage.rootHeader(image, false, l -> l.unlock(secret).volumeKey());
        Arrays.fill(secret, (byte) 0);
        enroll(image, volumeKey, steps);
        Arrays.fill(volumeKey, (byte) 0);
        steps.add("root volume " + uuid + " opened");
        return new Outcome(true, "key broker", steps, null, names(files));
    }

    /** Seals a new keyslot's passphrase to the PCRs and keeps it in a systemd-tpm2 token, replacing older ones. */
    private void enroll(Path image, byte[] volumeKey, List<String> steps) {
        byte[] passphrase = new byte[32];
        new SecureRandom().nextBytes(passphrase);
        byte[] blob = tpm.seal(passphrase, pcrs);
        byte[] policy = policyDigest();
        String done = ConfidentialDiskImage.rootHeader(image, true, luks -> {
            Luks2Image l = luks;
            for (Map.Entry<Integer, JsonObject> t : l.tokens().entrySet()) {
                if (SystemdTpm2Token.TYPE.equals(t.getValue().get("type").getAsString())) {
                    SystemdTpm2Token old = SystemdTpm2Token.parse(t.getValue());
                    l = l.removeToken(t.getKey());
                    for (int slot : old.keyslots()) {
                        if (l.keyslots().containsKey(slot)) {
                            l = l.removeKeyslot(slot);
                        }
                    }
                }
            }
            Map.Entry<Luks2Image, Integer> added = l.addKeyslot(volumeKey, new NewKeyslot(new Kdf.Pbkdf2(1000),
                    passphrase));
            int slot = added.getValue();
            Map.Entry<Luks2Image, Integer> token = added.getKey().addToken(new SystemdTpm2Token(List.of(slot), blob,
                    pcrs, "sha256", "ecc", policy).toJson());
            return "enrolled the vTPM: keyslot " + slot + " with a passphrase sealed to PCRs " + Arrays.toString(pcrs)
                    + " (sha256), in LUKS2 token " + token.getValue() + " (systemd-tpm2)";
        });
        Arrays.fill(passphrase, (byte) 0);
        steps.add(done);
    }

    /** The PolicyPCR digest of the PCRs' current SHA-256 values, systemd's tpm2-policy-hash. */
    private byte[] policyDigest() {
        java.util.SortedMap<Integer, byte[]> now = tpm.pcrs("sha256");
        List<byte[]> values = new ArrayList<>();
        for (int p : pcrs) {
            values.add(now.get(p));
        }
        return PolicyDigests.policyPcr(TpmAlgId.SHA256, new byte[32], TpmlPcrSelection.of(TpmsPcrSelection.of(
                TpmAlgId.SHA256, pcrs)), PolicyDigests.pcrDigest(TpmAlgId.SHA256, values));
    }

    private static List<String> names(List<CpioEntry> files) {
        List<String> out = new ArrayList<>();
        files.forEach(f -> out.add(f.name()));
        return out;
    }
}
