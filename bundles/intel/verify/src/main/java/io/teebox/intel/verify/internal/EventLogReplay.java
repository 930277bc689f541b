package io.teebox.intel.verify.internal;

import io.teebox.intel.tdx.abi.EventLog;
import io.teebox.kit.codec.Struct;
import io.teebox.kit.hex.Hex;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;

/**
 * Check {@code event_log}: the event log parses, each event whose type defines its digest over its data carries
 * that digest, and the digests replay to the quote's RTMRs. Claims {@code event_log_events}.
 */
final class EventLogReplay {

    private EventLogReplay() {
    }

    /**
     * @param log the event log (CCEL) attachment
     * @param body the TD quote body
     * @param out where claims and failures go
     */
    static void check(byte[] log, Struct body, Findings out) {
        List<EventLog.Event> events;
        try {
            events = EventLog.parse(log);
        } catch (IllegalArgumentException e) {
            out.fail("event_log", e.getMessage());
            return;
        }
        out.claim("event_log_events", Integer.toString(events.size()));
        for (int i = 0; i < events.size(); i++) {
            EventLog.Event e = events.get(i);
            List<byte[]> defined;
            try {
                defined = EventLog.definedDigests(e);
            } catch (IllegalArgumentException ex) {
                out.fail("event_log", "event " + i + ": " + ex.getMessage());
                continue;
            }
            if (!defined.isEmpty() && defined.stream().noneMatch(d -> MessageDigest.isEqual(d, e.digest()))) {
                out.fail("event_log", String.format("event %d (%s, type 0x%X) carries digest %s, but its type "
                        + "defines the digest over its data, whose SHA-384 is %s: the data is not what was "
                        + "measured", i, e.mrIndex() == 0 ? "MRTD" : "RTMR" + e.rtmr(), e.eventType(),
                        Hex.encode(e.digest()), Hex.encode(defined.get(0))));
            }
        }
        byte[][] replayed = EventLog.replay(events);
        for (int i = 0; i < 4; i++) {
            if (!Arrays.equals(replayed[i], body.bytes("RTMR" + i))) {
                out.fail("event_log", "the event log replays RTMR" + i + " to " + Hex.encode(replayed[i])
                        + ", the quote has " + Hex.encode(body.bytes("RTMR" + i)));
            }
        }
    }
}
