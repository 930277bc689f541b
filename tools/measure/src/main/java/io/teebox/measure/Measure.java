package io.teebox.measure;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.teebox.amd.abi.SevLaunchDigest;
import io.teebox.amd.abi.SnpLaunchDigest;
import io.teebox.intel.tdx.abi.TdMeasurement;
import io.teebox.kit.firmware.KernelHashes;
import io.teebox.kit.firmware.OvmfImage;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x86.CpuModels;

/**
 * {@code ./teebox measure}: the launch measurement a guest owner expects, from files, without starting the platform.
 * The options are virtee/sev-snp-measure's ({@code --mode snp|seves|sev|snp:ovmf-hash --vcpus --vcpu-type | --vcpu-sig
 * | --vcpu-family --vcpu-model --vcpu-stepping --ovmf --kernel --initrd --append --guest-features --vmm-type
 * --snp-ovmf-hash --output-format}), so scripts that call it can call this, plus {@code --mode tdx} for a TD's MRTD
 * (as td-shim's calculator gives it). The value is printed alone on stdout; a mistake is one line on stderr and exit
 * status 2, as the tool's argument errors.
 */
public final class Measure {

    private static final Set<String> MODES = Set.of("sev", "seves", "snp", "snp:ovmf-hash", "tdx");
    private static final Set<String> VALUED = Set.of("--mode", "--vcpus", "--vcpu-type", "--vcpu-sig",
            "--vcpu-family", "--vcpu-model", "--vcpu-stepping", "--ovmf", "--kernel", "--initrd", "--append",
            "--guest-features", "--vmm-type", "--snp-ovmf-hash", "--output-format");

    private Measure() {
    }

    /** A mistake in the arguments or the files, said in one line. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /**
     * @param args the options
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * @return the exit status: 0 with the value on {@code out}, 2 with one line on {@code err}
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            if (args.length == 1 && (args[0].equals("-h") || args[0].equals("--help"))) {
                out.print(usage());
                return 0;
            }
            out.println(measure(parse(args)));
            return 0;
        } catch (UsageException | IllegalArgumentException e) {
            err.println("teebox measure: error: " + e.getMessage().replaceAll("\\s*[\\r\\n]+\\s*", " "));
            return 2;
        }
    }

    static String usage() {
        return """
                usage: ./teebox measure --mode {snp,seves,sev,snp:ovmf-hash,tdx} --ovmf FILE [options]
                  --vcpus N              vCPUs (snp, seves)
                  --vcpu-type TYPE       QEMU CPU model: %s
                  --vcpu-sig SIG         CPUID(1).EAX instead of --vcpu-type
                  --vcpu-family F --vcpu-model M --vcpu-stepping S   the same as three numbers
                  --kernel FILE --initrd FILE --append CMDLINE        measured direct boot (kernel-hashes=on)
                  --guest-features HEX   the VMSA SEV_FEATURES (snp; default 0x1)
                  --snp-ovmf-hash HEX    a precomputed OVMF hash (snp:ovmf-hash's output) instead of hashing --ovmf
                  --vmm-type QEMU        the VMM (QEMU only)
                  --output-format {hex,base64}
                prints the SNP/SEV-ES/SEV launch digest or the TD's MRTD
                """.formatted(String.join(", ", CpuModels.known()));
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                value = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            if (!VALUED.contains(a)) {
                throw new UsageException("unrecognized argument '" + args[i] + "'" + suggestion(a));
            }
            if (value == null) {
                if (i + 1 == args.length) {
                    throw new UsageException("argument " + a + ": expected one value");
                }
                value = args[++i];
            }
            if (o.put(a, value) != null) {
                throw new UsageException("argument " + a + " given twice");
            }
        }
        String mode = o.get("--mode");
        if (mode == null) {
            throw new UsageException("the following argument is required: --mode (" + String.join(", ",
                    new java.util.TreeSet<>(MODES)) + ")");
        }
        if (!MODES.contains(mode)) {
            throw new UsageException("argument --mode: invalid choice '" + mode + "' (choose from snp, seves, sev, "
                    + "snp:ovmf-hash, tdx)");
        }
        if (!o.containsKey("--ovmf") && !(mode.equals("snp") && o.containsKey("--snp-ovmf-hash"))) {
            throw new UsageException("the following argument is required: --ovmf");
        }
        String vmm = o.getOrDefault("--vmm-type", "QEMU");
        if (!vmm.equals("QEMU")) {
            throw new UsageException("argument --vmm-type: '" + vmm + "' is not modelled; teebox measures as QEMU "
                    + "launches (QEMU)");
        }
        String fmt = o.getOrDefault("--output-format", "hex");
        if (!fmt.equals("hex") && !fmt.equals("base64")) {
            throw new UsageException("argument --output-format: invalid choice '" + fmt + "' (choose from hex, "
                    + "base64)");
        }
        if ((o.containsKey("--initrd") || o.containsKey("--append")) && !o.containsKey("--kernel")) {
            throw new UsageException("--initrd and --append need --kernel (they are measured with it)");
        }
        return o;
    }

    private static String suggestion(String a) {
        String best = null;
        int bestDistance = 3;
        for (String v : VALUED) {
            int d = distance(a, v);
            if (d < bestDistance) {
                bestDistance = d;
                best = v;
            }
        }
        return best == null ? "" : " (did you mean " + best + "?)";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(
                        j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    static String measure(Map<String, String> o) {
        String mode = o.get("--mode");
        byte[] value = switch (mode) {
            case "tdx" -> TdMeasurement.mrtd(ovmf(o));
            case "sev" -> SevLaunchDigest.compute(file(o, "--ovmf"), hashes(o), false, 0, 0);
            case "seves" -> SevLaunchDigest.compute(file(o, "--ovmf"), hashes(o), true, vcpus(o), signature(o));
            case "snp:ovmf-hash" -> new SnpLaunchDigest().normal(ovmf(o).loadAddress(), ovmf(o).bytes()).digest();
            default -> snp(o);
        };
        return o.getOrDefault("--output-format", "hex").equals("base64") ? Base64.getEncoder().encodeToString(value)
                : Hex.encode(value);
    }

    private static byte[] snp(Map<String, String> o) {
        if (o.containsKey("--snp-ovmf-hash")) {
            throw new UsageException("--snp-ovmf-hash is not supported yet: give --ovmf (the firmware's metadata "
                    + "sections are needed besides its hash)");
        }
        long features = number(o, "--guest-features", "0x1");
        OvmfImage image = ovmf(o);
        if (image.sevMetadata().isEmpty()) {
            throw new UsageException("argument --ovmf: " + o.get("--ovmf") + " has no SEV metadata (OVMF footer "
                    + "entry " + OvmfImage.SEV_METADATA_GUID + "), so it cannot launch an SEV-SNP guest");
        }
        return SnpLaunchDigest.forOvmf(image, vcpus(o), signature(o), features, hashes(o));
    }

    private static OvmfImage ovmf(Map<String, String> o) {
        return OvmfImage.parse(file(o, "--ovmf"));
    }

    private static byte[] hashes(Map<String, String> o) {
        if (!o.containsKey("--kernel")) {
            return null;
        }
        byte[] kernel = file(o, "--kernel");
        byte[] initrd = o.containsKey("--initrd") ? file(o, "--initrd") : null;
        return KernelHashes.table(kernel, initrd, o.get("--append"));
    }

    private static int vcpus(Map<String, String> o) {
        String v = o.get("--vcpus");
        if (v == null) {
            throw new UsageException("--vcpus is required for --mode " + o.get("--mode"));
        }
        long n = number(o, "--vcpus", v);
        if (n < 1 || n > 512) {
            throw new UsageException("argument --vcpus: " + v + " is not 1..512");
        }
        return (int) n;
    }

    private static long signature(Map<String, String> o) {
        List<String> given = new ArrayList<>();
        for (String k : List.of("--vcpu-type", "--vcpu-sig", "--vcpu-family")) {
            if (o.containsKey(k)) {
                given.add(k);
            }
        }
        if (given.size() != 1) {
            throw new UsageException((given.isEmpty() ? "give one of" : "give only one of")
                    + " --vcpu-type, --vcpu-sig or --vcpu-family/--vcpu-model/--vcpu-stepping"
                    + (given.isEmpty() ? "" : ", not " + String.join(" and ", given)));
        }
        return switch (given.get(0)) {
            case "--vcpu-type" -> CpuModels.signature(o.get("--vcpu-type"));
            case "--vcpu-sig" -> number(o, "--vcpu-sig", o.get("--vcpu-sig"));
            default -> {
                for (String k : List.of("--vcpu-model", "--vcpu-stepping")) {
                    if (!o.containsKey(k)) {
                        throw new UsageException("--vcpu-family needs " + k + " too");
                    }
                }
                yield CpuModels.signature((int) number(o, "--vcpu-family", o.get("--vcpu-family")),
                        (int) number(o, "--vcpu-model", o.get("--vcpu-model")),
                        (int) number(o, "--vcpu-stepping", o.get("--vcpu-stepping")));
            }
        };
    }

    private static long number(Map<String, String> o, String name, String fallback) {
        String v = o.getOrDefault(name, fallback).trim();
        try {
            String lower = v.toLowerCase(Locale.ROOT);
            long n = lower.startsWith("0x") ? Long.parseUnsignedLong(lower.substring(2), 16) : Long.parseLong(lower);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException("argument " + name + ": '" + v + "' is not a number (decimal or 0x hex)");
        }
    }

    private static byte[] file(Map<String, String> o, String name) {
        Path p = Path.of(o.get(name));
        try {
            return Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            throw new UsageException("argument " + name + ": no such file: " + p);
        } catch (IOException e) {
            throw new UsageException("argument " + name + ": cannot read " + p + ": " + e.getMessage());
        }
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
