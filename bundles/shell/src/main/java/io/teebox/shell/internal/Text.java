package io.teebox.shell.internal;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.teebox.api.attestation.Evidence;
import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.hypervisor.ExitTrace;
import io.teebox.api.hypervisor.GuestInfo;
import io.teebox.api.hypervisor.LaunchResult;
import io.teebox.api.hypervisor.VcpuView;
import io.teebox.api.launch.GuestStatus;
import io.teebox.api.launch.LaunchLogEntry;
import io.teebox.api.launch.Measurement;
import io.teebox.api.memory.HostAccessOutcome;
import io.teebox.api.tee.BackendDescriptor;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.hex.HexDump;

/** Renders teebox values for the console: one line for lists, several for inspection. */
final class Text {

    private Text() {
    }

    static String line(Object o) {
        if (o instanceof GuestInfo g) {
            return String.format("%-4s %-14s %-8s %-10s %2d vCPU %-11s %6s  %-8s %s", g.id(), g.config().name(),
                    g.config().teeType(), g.state(), g.config().vcpus(), g.config().vcpuType(),
                    mib(g.config().memoryBytes()), g.keySlot() == null ? "-" : g.keySlot(), g.note());
        }
        if (o instanceof BackendDescriptor d) {
            return String.format("%-8s %-4s %-28s fw %-14s %s  %s", d.teeType(), d.vendor(), d.product(),
                    d.firmware(), d.slots().map(Object::toString).orElse(d.kind() == io.teebox.api.tee.TeeKind.DEVICE
                            ? "device TEE (gpu:list)" : "no key slots"), d.capabilities());
        }
        if (o instanceof LaunchLogEntry e) {
            return e.toString();
        }
        if (o instanceof ExitTrace t) {
            return String.format("%4d vcpu%d %-11s exit 0x%X  %s%n       host saw %s%n       answer   %s", t.sequence(),
                    t.vcpu(), t.instruction() == null ? "-" : t.instruction().kind(), t.exitCode(), t.path(),
                    hex(t.hostSaw()), hex(t.result()));
        }
        return null;
    }

    private static String hex(Map<String, Long> regs) {
        return regs.entrySet().stream().map(e -> e.getKey() + "=0x" + Long.toHexString(e.getValue()))
                .collect(Collectors.joining(" ", "{", "}"));
    }

    static String inspect(Object o) {
        if (o instanceof GuestInfo g) {
            return fields(Map.ofEntries(
                    Map.entry("1 id", g.id()), Map.entry("2 name", g.config().name()),
                    Map.entry("3 tee", g.config().teeType()), Map.entry("4 state", g.state().toString()),
                    Map.entry("5 vcpus", g.config().vcpus() + " x " + g.config().vcpuType()),
                    Map.entry("6 memory", mib(g.config().memoryBytes()) + " (" + g.residentPages()
                            + " pages resident)"),
                    Map.entry("7 handle", g.handle() == 0 ? "-" : Long.toString(g.handle())),
                    Map.entry("8 key slot", g.keySlot() == null ? "-" : g.keySlot().toString()),
                    Map.entry("9 policy", String.format("0x%X", g.policy())),
                    Map.entry("a note", g.note())));
        }
        if (o instanceof BackendDescriptor d) {
            StringBuilder b = new StringBuilder();
            b.append(String.format("%-14s %s%n", "tee.type", d.teeType()));
            b.append(String.format("%-14s %s (%s)%n", "vendor", d.vendor(), d.kind()));
            b.append(String.format("%-14s %s%n", "product", d.product()));
            b.append(String.format("%-14s %s%n", "firmware", d.firmware()));
            b.append(String.format("%-14s %s%n", "tcb", d.tcb()));
            b.append(String.format("%-14s %s%n", "key slots", d.keySlots()));
            b.append(String.format("%-14s %s%n", "capabilities", d.capabilities()));
            d.properties().forEach((k, v) -> b.append(String.format("%-14s %s%n", k, v)));
            return b.toString().stripTrailing();
        }
        if (o instanceof Measurement m) {
            StringBuilder b = new StringBuilder("format " + m.format() + "\n");
            m.fields().forEach((k, v) -> b.append(String.format("  %-13s %s%n", k, v)));
            b.append(String.format("  %-13s ", "raw")).append(Hex.encode(m.value()));
            return b.toString();
        }
        if (o instanceof LaunchResult r) {
            return "launched " + line(r.guest()) + "\n" + inspect(r.measurement()) + "\nsecrets injected: "
                    + r.secretsInjected() + "\nfirmware commands (guest:log shows each one):\n" + summary(r.log());
        }
        if (o instanceof GuestStatus s) {
            StringBuilder b = new StringBuilder();
            b.append(String.format("%-10s %d%n%-10s %s%n%-10s %s%n%-10s 0x%X%n", "handle", s.handle(), "state",
                    s.state(), "key slot", s.slot() == null ? "-" : s.slot(), "policy", s.policy()));
            s.details().forEach((k, v) -> b.append(String.format("%-10s %s%n", k, v)));
            return b.toString().stripTrailing();
        }
        if (o instanceof VcpuView v) {
            StringBuilder b = new StringBuilder(String.format("vCPU %d save area, %s%n", v.index(),
                    v.encrypted() ? "ENCRYPTED under the guest key: the host sees ciphertext"
                            : "PLAINTEXT: the host can read (and change) the guest's registers"));
            v.registers().forEach((k, val) -> b.append(String.format("  %-13s 0x%016X%n", k, val)));
            b.append(HexDump.format(0, java.util.Arrays.copyOf(v.saveArea(), 0x80)));
            return b.toString().stripTrailing();
        }
        if (o instanceof HostAccessOutcome h) {
            return h.effect() + ": " + h.explanation();
        }
        if (o instanceof Evidence e) {
            StringBuilder b = new StringBuilder(String.format("format %s, %d bytes, %d certificates%n", e.format(),
                    e.report().length, e.certificates().size()));
            b.append(HexDump.format(0, e.report()));
            return b.toString().stripTrailing();
        }
        if (o instanceof Appraisal v) {
            StringBuilder b = new StringBuilder((v.accepted() ? "ACCEPTED" : "REJECTED") + " (" + v.status()
                    + ": " + v.passes().size() + " checks passed, " + v.failures().size() + " failed)\n");
            v.failures().forEach(f -> b.append("  FAILED ").append(f).append('\n'));
            // a check that passed with a warning says why: what the appraisal could not establish
            v.passes().forEach(p -> b.append(p.tier() == io.teebox.api.appraisal.Tier.WARNING ? "  warning "
                    + p.check() + ": " + p.reason() : "  passed " + p.check()).append('\n'));
            v.vector().forEach((claim, tier) -> b.append(String.format("  %-20s %s%n", claim.earName(), tier)));
            v.claimTexts().forEach((k, val) -> b.append(String.format("  %-20s %s%n", k, val)));
            return b.toString().stripTrailing();
        }
        return null;
    }

    static String log(List<LaunchLogEntry> log) {
        return log.stream().map(LaunchLogEntry::toString).collect(Collectors.joining("\n"));
    }

    /**
     * A long log shortened for the launch result: its first and last entries in full, the middle counted per command
     * and status (a TD build issues one TDH.MR.EXTEND per 256 bytes measured). {@code guest:log} shows every entry.
     */
    static String summary(List<LaunchLogEntry> log) {
        int head = 10;
        int tail = 6;
        if (log.size() <= head + tail + 4) {
            return log(log);
        }
        Map<String, Integer> counts = new java.util.LinkedHashMap<>();
        for (LaunchLogEntry e : log.subList(head, log.size() - tail)) {
            counts.merge(e.command() + " " + e.status(), 1, Integer::sum);
        }
        return log(log.subList(0, head)) + "\n... " + (log.size() - head - tail) + " more: "
                + counts.entrySet().stream().map(e -> e.getValue() + " x " + e.getKey())
                        .collect(Collectors.joining(", "))
                + "\n" + log(log.subList(log.size() - tail, log.size()));
    }

    private static String fields(Map<String, String> sorted) {
        return sorted.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> String.format("%-10s %s", e.getKey().substring(2), e.getValue()))
                .collect(Collectors.joining("\n"));
    }

    static String mib(long bytes) {
        return bytes % (1 << 20) == 0 ? (bytes >> 20) + "M" : (bytes >> 10) + "K";
    }
}
