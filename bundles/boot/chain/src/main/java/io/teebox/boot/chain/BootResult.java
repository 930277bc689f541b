package io.teebox.boot.chain;

import java.util.List;

/**
 * The outcome of a boot.
 *
 * @param booted whether the kernel was started
 * @param refusal null when booted; else one line naming the stage, the file and the reason, e.g.
 *        "shim EFI/BOOT/BOOTX64.EFI: not signed by a key in db"
 * @param stages the stages run, the refused one last
 * @param eventLog the crypto-agile event log (SHA-256 and SHA-384) of every extend made
 * @param kernel the kernel image started, null if not booted
 * @param initramfs the initramfs handed to it, null if not booted
 * @param cmdline the command line the kernel sees, null if not booted
 */
public record BootResult(boolean booted, String refusal, List<Stage> stages, byte[] eventLog, byte[] kernel,
        byte[] initramfs, String cmdline) {

    /** Copies the arrays and the list. */
    public BootResult {
        stages = List.copyOf(stages);
        eventLog = eventLog.clone();
        kernel = kernel == null ? null : kernel.clone();
        initramfs = initramfs == null ? null : initramfs.clone();
    }

    @Override
    public byte[] eventLog() {
        return eventLog.clone();
    }

    @Override
    public byte[] kernel() {
        return kernel == null ? null : kernel.clone();
    }

    @Override
    public byte[] initramfs() {
        return initramfs == null ? null : initramfs.clone();
    }

    /**
     * A stage by name.
     *
     * @param name e.g. "grub"
     * @return the stage
     * @throws IllegalArgumentException if the boot did not reach it
     */
    public Stage stage(String name) {
        return stages.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow(
                () -> new IllegalArgumentException("the boot has no stage " + name + ", only "
                        + stages.stream().map(Stage::name).toList()));
    }
}
