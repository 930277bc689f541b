package io.teebox.boot.chain;

import io.teebox.boot.chain.internal.BootRun;
import io.teebox.boot.eventlog.EventLog;
import io.teebox.boot.eventlog.HashAlgorithm;
import io.teebox.boot.eventlog.PcrBanks;
import io.teebox.boot.eventlog.UefiGptData;
import io.teebox.boot.uefi.SecureBootVariables;
import io.teebox.disk.image.CpioEntry;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A UEFI firmware (edk2/OVMF-like) with a TPM 2.0 and Secure Boot, booting the removable-media path of a boot
 * partition: firmware measures itself (PCR 0), the Secure Boot variables (PCR 7), the boot variables (PCR 1), the GPT
 * (PCR 5) and separators (PCR 0-7); loads shim (PCR 4, its db authority into PCR 7), which measures SbatLevel (PCR 7)
 * and MokList (PCR 14), verifies and measures GRUB (PCR 4, authority PCR 7); GRUB measures grub.cfg, the kernel and the
 * initramfs it reads (PCR 9) and its commands and the kernel command line (PCR 8), shim verifies the kernel (PCR 4),
 * the kernel's EFI stub measures the initrd (PCR 9, tagged event), then ExitBootServices (PCR 5). With SecureBoot on,
 * an image that is not verified stops the boot. Immutable; each boot is independent.
 */
public final class UefiFirmware {

    private final byte[] firmwareImage;
    private final SecureBootVariables vars;

    /**
     * Creates a firmware.
     *
     * @param firmwareImage the firmware volume, measured as the platform firmware blob into PCR 0
     * @param vars PK, KEK, db, dbx and SecureBoot
     */
    public UefiFirmware(byte[] firmwareImage, SecureBootVariables vars) {
        this.firmwareImage = Objects.requireNonNull(firmwareImage, "firmwareImage").clone();
        this.vars = Objects.requireNonNull(vars, "vars");
    }

    /**
     * Boots the boot partition's files.
     *
     * @param bootFiles the boot partition, by path ({@link BootFiles})
     * @param gpt the disk's GPT as firmware measures it, or null to measure none
     * @param tpm where every extend goes (SHA-256 and SHA-384 banks)
     * @return the outcome: booted, or refused with the stage, file and reason; the event log in both cases
     * @throws io.teebox.kit.codec.MalformedStructureException if db or dbx holds a malformed certificate
     */
    public BootResult boot(List<CpioEntry> bootFiles, UefiGptData gpt, PcrSink tpm) {
        Objects.requireNonNull(bootFiles, "bootFiles");
        Objects.requireNonNull(tpm, "tpm");
        return new BootRun(firmwareImage, vars, bootFiles, gpt, tpm).run();
    }

    /**
     * The owner's calculation: the PCRs a boot of these files gives, computed without a TPM.
     *
     * @param firmwareImage the firmware volume
     * @param vars the Secure Boot variables
     * @param bootFiles the boot partition
     * @param gpt the GPT, or null
     * @return per bank (SHA-256, SHA-384), each extended PCR's value
     */
    public static Map<HashAlgorithm, SortedMap<Integer, byte[]>> expectedPcrs(byte[] firmwareImage,
            SecureBootVariables vars, List<CpioEntry> bootFiles, UefiGptData gpt) {
        PcrAccumulator acc = new PcrAccumulator();
        new UefiFirmware(firmwareImage, vars).boot(bootFiles, gpt, acc);
        return acc.values();
    }

    /**
     * The PCRs an event log replays to.
     *
     * @param eventLog a crypto-agile log
     * @return per bank, each extended PCR's value
     * @throws io.teebox.boot.eventlog.EventLogException if the log does not parse
     */
    public static Map<HashAlgorithm, SortedMap<Integer, byte[]>> replay(byte[] eventLog) {
        PcrBanks banks = EventLog.parse(eventLog).replay();
        Map<HashAlgorithm, SortedMap<Integer, byte[]>> out = new EnumMap<>(HashAlgorithm.class);
        for (HashAlgorithm a : banks.banks()) {
            SortedMap<Integer, byte[]> bank = new TreeMap<>();
            for (int pcr : banks.extended()) {
                bank.put(pcr, banks.value(a, pcr));
            }
            out.put(a, Collections.unmodifiableSortedMap(bank));
        }
        return Collections.unmodifiableMap(out);
    }
}
