package io.teebox.intel.tdx.abi;

import static io.teebox.kit.testing.Fuzzing.check;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.testing.Fuzzing;
import java.util.List;

/**
 * The CCEL event log as {@code tdx:verify -e} and the verifier read it: {@link EventLog#parse} gives events or a
 * {@link MalformedStructureException} naming the field; parsed events encode to a log that parses to the same
 * events; the replay gives four 48-byte RTMRs; {@link EventLog#definedDigests} of each event gives zero to two
 * 48-byte digests or a {@link MalformedStructureException} for event data without its type's structure.
 */
class EventLogFuzzTest {

    @FuzzTest
    void eventLogParsesOrRefusesTyped(byte[] data) {
        List<EventLog.Event> events = Fuzzing.typed(() -> EventLog.parse(data), MalformedStructureException.class);
        if (events == null) {
            return;
        }
        check("parse(encode(parse(x))) = parse(x)", EventLog.parse(EventLog.encode(events)).equals(events));
        byte[][] rtmrs = EventLog.replay(events);
        check("four RTMRs of 48 bytes", rtmrs.length == 4 && java.util.Arrays.stream(rtmrs).allMatch(r -> r.length
                == TdMeasurement.DIGEST_SIZE));
        for (EventLog.Event e : events) {
            check("MR index 0..4", e.mrIndex() >= 0 && e.mrIndex() <= 4 && e.digest().length == 48);
            List<byte[]> defined = Fuzzing.typed(() -> EventLog.definedDigests(e), MalformedStructureException.class);
            if (defined != null) {
                check("zero to two SHA-384 digests", defined.size() <= 2 && defined.stream().allMatch(d -> d.length
                        == 48));
            }
        }
    }
}
