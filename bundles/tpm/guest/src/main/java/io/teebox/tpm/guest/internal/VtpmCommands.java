package io.teebox.tpm.guest.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.teebox.boot.eventlog.EventLog;
import io.teebox.kit.x509.X509Authority;
import io.teebox.tpm.abi.Tpm2bPublic;
import io.teebox.tpm.abi.TpmtPublic;
import io.teebox.tpm.guest.GuestTpm;
import io.teebox.tpm.guest.GuestTpms;

/**
 * The {@code vtpm:} commands: a CVM's vTPM as its owner and a verifier see it (PCRs, quotes in tpm2-tools' file
 * formats, the event log, the EK and AK, the vTPM CA).
 */
@Component(service = VtpmCommands.class, immediate = true, property = {"osgi.command.scope=vtpm",
    "osgi.command.function=pcrs", "osgi.command.function=quote", "osgi.command.function=eventlog",
    "osgi.command.function=ek", "osgi.command.function=ak", "osgi.command.function=ca",
    "osgi.command.function=extend"})
@Descriptor("The vTPM inside a confidential VM (SEV-SNP at VMPL0, TDX): PCRs, quotes, event log, EK and AK")
public final class VtpmCommands {

    private final GuestTpms tpms;

    /** @param tpms the guests' vTPMs */
    @Activate
    public VtpmCommands(@Reference GuestTpms tpms) {
        this.tpms = tpms;
    }

    /** @return the PCRs */
    @Descriptor("Shows a CVM's PCRs (its vTPM is provisioned at first use)")
    public String pcrs(@Descriptor("the bank, sha256 or sha384") @Parameter(names = {"-b", "--bank"},
            absentValue = "sha256") String bank, @Descriptor("the CVM (guest id or name)") String guest) {
        StringBuilder b = new StringBuilder(bank).append(":\n");
        tpms.of(guest).pcrs(bank).forEach((k, v) -> b.append(String.format("  %2d : 0x%s%n", k, HexFormat.of()
                .withUpperCase().formatHex(v))));
        return b.toString().stripTrailing();
    }

    /** @return what was extended */
    @Descriptor("Extends a PCR of a CVM's vTPM with the SHA-256 and SHA-384 of a text (an application's event)")
    public String extend(@Descriptor("the PCR, 0..23") @Parameter(names = {"-i", "--index"}, absentValue = "16")
            String index, @Descriptor("the CVM") String guest, @Descriptor("the event's text") String text) {
        int pcr;
        try {
            pcr = Integer.parseInt(index);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--index is '" + index + "', expected a PCR number 0..23");
        }
        byte[] data = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        tpms.of(guest).extend(pcr, Map.of("sha256", io.teebox.kit.crypto.Digests.sha256(data), "sha384",
                io.teebox.kit.crypto.Digests.sha384(data)));
        return "PCR " + pcr + " extended with the digests of \"" + text + "\"";
    }

    /** @return the quote's fields, and the files written */
    @Descriptor("TPM2_Quote of a CVM's SHA-256 PCRs with its AK; -o writes FILE.attest (TPMS_ATTEST), FILE.sig "
            + "(TPMT_SIGNATURE), FILE.pcrs (tpm2_quote's -o format) and FILE.ak.pub (TPM2B_PUBLIC), the files "
            + "tpm2_checkquote -u FILE.ak.pub -m FILE.attest -s FILE.sig -f FILE.pcrs -g sha256 -q NONCE checks")
    public String quote(@Descriptor("the nonce (qualifying data), hex") @Parameter(names = {"-n", "--nonce"},
            absentValue = "") String nonce, @Descriptor("the PCRs, a comma list") @Parameter(names = {"-p",
                "--pcrs"}, absentValue = "0,1,2,3,4,5,6,7,8,9") String pcrs,
            @Descriptor("where to write the files (a prefix)") @Parameter(names = {"-o", "--output"},
                    absentValue = "") String output, @Descriptor("the CVM") String guest) {
        byte[] q;
        try {
            q = HexFormat.of().parseHex(nonce);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--nonce is not hex: " + e.getMessage());
        }
        int[] sel = selection(pcrs);
        GuestTpm tpm = tpms.of(guest);
        GuestTpm.Quote quote = tpm.quote(sel, q);
        StringBuilder b = new StringBuilder("quote of " + guest + " (AK RSA-2048, RSASSA SHA-256), nonce "
                + (nonce.isEmpty() ? "(none)" : nonce) + "\n");
        quote.pcrValues().forEach((k, v) -> b.append(String.format("  PCR %2d sha256 %s%n", k, HexFormat.of()
                .formatHex(v))));
        if (!output.isEmpty()) {
            try {
                Files.write(Path.of(output + ".attest"), quote.attest());
                Files.write(Path.of(output + ".sig"), quote.signature());
                Files.write(Path.of(output + ".pcrs"), pcrsFile(quote.pcrValues()));
                Files.write(Path.of(output + ".ak.pub"), new Tpm2bPublic(TpmtPublic.fromBytes(tpm.akPublic()))
                        .toBytes());
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot write " + output + ".*: " + e.getMessage());
            }
            b.append("written: ").append(output).append(".attest, .sig, .pcrs, .ak.pub");
        }
        return b.toString().stripTrailing();
    }

    static int[] selection(String pcrs) {
        try {
            int[] sel = Arrays.stream(pcrs.split(",")).map(String::trim).mapToInt(Integer::parseInt).sorted()
                    .distinct().toArray();
            for (int p : sel) {
                if (p < 0 || p > 23) {
                    throw new NumberFormatException("PCR " + p);
                }
            }
            return sel;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--pcrs is '" + pcrs + "', expected a comma list of PCRs 0..23");
        }
    }

    /**
     * The PCR values as tpm2_quote's {@code -o} writes them: TPML_PCR_SELECTION then a count of TPML_DIGESTs and
     * the lists, as the tools' C structures in little-endian order (16 selections of 8 bytes, 8 digests of 66).
     */
    static byte[] pcrsFile(SortedMap<Integer, byte[]> values) {
        int lists = (values.size() + 7) / 8;
        ByteBuffer b = ByteBuffer.allocate(132 + 4 + lists * 532).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(1);
        b.putShort((short) 0x000B).put((byte) 3);
        byte[] select = new byte[4];
        values.keySet().forEach(p -> select[p / 8] |= (byte) (1 << (p % 8)));
        b.put(select).put((byte) 0);
        b.position(132);
        b.putInt(lists);
        Integer[] keys = values.keySet().toArray(new Integer[0]);
        for (int l = 0; l < lists; l++) {
            int start = 136 + l * 532;
            b.position(start);
            int n = Math.min(8, keys.length - l * 8);
            b.putInt(n);
            for (int i = 0; i < n; i++) {
                byte[] d = values.get(keys[l * 8 + i]);
                b.position(start + 4 + i * 66);
                b.putShort((short) d.length).put(d);
            }
        }
        return b.array();
    }

    /** @return the events */
    @Descriptor("Lists the TCG event log the CVM's firmware handed over (guest:boot measures one)")
    public String eventlog(@Descriptor("the CVM") String guest) {
        byte[] log = tpms.of(guest).eventLog();
        if (log.length == 0) {
            return "no event log: the CVM has not booted (guest:boot)";
        }
        StringBuilder b = new StringBuilder();
        int n = 0;
        for (io.teebox.boot.eventlog.TcgPcrEvent2 e : EventLog.parse(log).events()) {
            String sha256 = e.digests().stream().filter(d -> d.hashAlg() == 0x000B).map(d -> HexFormat.of()
                    .formatHex(d.digest())).findFirst().orElse("");
            b.append(String.format("%3d  PCR %-2d %-34s sha256 %s  %d bytes%n", n++, e.pcrIndex(),
                    io.teebox.boot.eventlog.EventType.name(e.eventType()), sha256, e.event().length));
        }
        return b.toString().stripTrailing();
    }

    /** @return the EK certificate */
    @Descriptor("Shows the EK certificate from NV index 0x01C00002 (PEM); -o writes it")
    public String ek(@Descriptor("write the PEM to a file") @Parameter(names = {"-o", "--output"}, absentValue = "")
            String output, @Descriptor("the CVM") String guest) {
        X509Certificate c = tpms.of(guest).ekCertificate();
        return pem(c, output, "EK certificate: " + c.getSubjectX500Principal() + ", issued by "
                + c.getIssuerX500Principal());
    }

    /** @return the AK */
    @Descriptor("Shows the AK's public area (TPMT_PUBLIC), its Name and the HCL runtime claims that bind it")
    public String ak(@Descriptor("the CVM") String guest) {
        GuestTpm t = tpms.of(guest);
        TpmtPublic ak = TpmtPublic.fromBytes(t.akPublic());
        return "AK: RSA-2048 restricted signing (RSASSA SHA-256), Name " + ak.name() + "\nTPMT_PUBLIC "
                + HexFormat.of().formatHex(t.akPublic()) + "\nruntime claims (SHA-256 in REPORT_DATA): "
                + new String(t.runtimeClaims(), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** @return the CA certificate */
    @Descriptor("Shows the vTPM CA's root certificate (PEM), the root of every EK certificate; -o writes it")
    public String ca(@Descriptor("write the PEM to a file") @Parameter(names = {"-o", "--output"}, absentValue = "")
            String output) {
        X509Certificate c = tpms.caCertificate();
        return pem(c, output, "vTPM CA: " + c.getSubjectX500Principal());
    }

    private static String pem(X509Certificate c, String output, String title) {
        String pem = X509Authority.toPem(c);
        if (!output.isEmpty()) {
            try {
                Files.writeString(Path.of(output), pem);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot write " + output + ": " + e.getMessage());
            }
            return title + "\nwritten to " + output;
        }
        return title + "\n" + pem.stripTrailing();
    }
}
