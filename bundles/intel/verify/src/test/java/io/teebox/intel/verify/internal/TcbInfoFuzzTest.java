package io.teebox.intel.verify.internal;

import static io.teebox.kit.testing.Fuzzing.check;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.gson.JsonObject;
import io.teebox.api.appraisal.Check;
import io.teebox.kit.testing.Fuzzing;
import io.teebox.kit.testing.Fuzzing.Parts;
import java.util.Arrays;

/**
 * TCB info v3 (the signed {@code tcb_info} document) as {@link TcbEvaluation} reads it after its signature
 * verified, against any platform: the TDX TCB status, or a {@link Json.FormatException} naming the member by its
 * path (never a ClassCastException, NullPointerException, IndexOutOfBounds or a hang on a huge number). A status
 * comes with the matched level's tcbDate; every failure names a check and a reason.
 *
 * <p>Input ({@code Parts}): the tcbInfo JSON, TEE_TCB_SVN (16 bytes, zero-padded), TEE_TCB_SVN2 (empty: a TDX 1.0
 * body), MRSIGNERSEAM (48), SEAMATTRIBUTES (u64), the PCK's 16 SGX TCB components, its PCE SVN (first two bytes,
 * little-endian), FMSPC (6), PCE-ID (2), and the QE identity status (empty: none).
 */
class TcbInfoFuzzTest {

    @FuzzTest
    void tcbInfoGivesAStatusOrAFailureNamingTheMember(byte[] data) {
        Parts in = new Parts(data);
        String text = in.text();
        byte[] teeTcbSvn = Arrays.copyOf(in.next(), 16);
        byte[] svn2 = in.next();
        byte[] teeTcbSvn2 = svn2.length == 0 ? null : Arrays.copyOf(svn2, 16);
        byte[] mrSignerSeam = Arrays.copyOf(in.next(), 48);
        long seamAttributes = in.u64();
        byte[] comps = Arrays.copyOf(in.next(), 16);
        int[] components = new int[16];
        for (int i = 0; i < 16; i++) {
            components[i] = comps[i] & 0xFF;
        }
        byte[] pce = Arrays.copyOf(in.next(), 2);
        int pceSvn = (pce[0] & 0xFF) | (pce[1] & 0xFF) << 8;
        PckExtensions pck = new PckExtensions(new byte[16], components, pceSvn, comps, Arrays.copyOf(in.next(), 2),
                Arrays.copyOf(in.next(), 6), 1);
        String qe = in.text();
        String qeStatus = qe.isEmpty() ? null : qe;

        JsonObject tcb = Fuzzing.typed(() -> Json.parseObject(text, "tcb_info"), Json.FormatException.class);
        if (tcb == null) {
            return;
        }
        TcbEvaluation.Result r = Fuzzing.typed(() -> new TcbEvaluation(tcb, pck, teeTcbSvn, teeTcbSvn2, mrSignerSeam,
                seamAttributes).evaluate(qeStatus), Json.FormatException.class);
        if (r == null) {
            return;
        }
        for (Check f : r.failures()) {
            check("a failure names a check and a reason: " + f, !f.check().isBlank() && !f.reason().isBlank());
            Fuzzing.checkMessage(new IllegalStateException(f.reason()));
        }
        if (r.status() != null) {
            check("a status comes with its level's tcbDate", r.tcbDate() != null);
            check("the status is one the collateral or QVL's convergence names: " + r.status(),
                    strings(tcb).contains(r.status()) || r.status().equals(qeStatus)
                    || TcbEvaluation.ORDER.contains(r.status()));
        } else {
            check("no status means a failure says why", !r.failures().isEmpty());
        }
    }

    /** @return every string value in a JSON tree */
    private static java.util.Set<String> strings(com.google.gson.JsonElement e) {
        java.util.Set<String> out = new java.util.HashSet<>();
        java.util.ArrayDeque<com.google.gson.JsonElement> todo = new java.util.ArrayDeque<>(java.util.List.of(e));
        while (!todo.isEmpty()) {
            com.google.gson.JsonElement x = todo.pop();
            if (x.isJsonObject()) {
                x.getAsJsonObject().entrySet().forEach(m -> todo.push(m.getValue()));
            } else if (x.isJsonArray()) {
                x.getAsJsonArray().forEach(todo::push);
            } else if (x.isJsonPrimitive() && x.getAsJsonPrimitive().isString()) {
                out.add(x.getAsString());
            }
        }
        return out;
    }
}
