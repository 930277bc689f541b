package io.teebox.attestation.api;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;
import java.util.Map;

import org.junit.Test;

public class TimelineTest {

    private final Timeline t = new Timeline("Flow", List.of("user", "CVM", "key service"));

    @Test
    public void numbersArrowsAndNotesInOrderAndAlignsTheColumns() {
        t.step("user", "CVM", "launch").note("CVM", "measures\nits image").step("CVM", "key service", "release?");
        t.succeeded("the key");
        String[] lines = t.render().split("\n");
        assertEquals("Flow", lines[0]);
        assertEquals("parties: user, CVM, key service", lines[1]);
        assertEquals("1  user         ->  CVM          launch", lines[2]);
        assertEquals("2  CVM                           measures its image", lines[3]);
        assertEquals("3  CVM          ->  key service  release?", lines[4]);
        assertEquals("RESULT: the key", lines[5]);
        assertFalse(t.isRefused());
    }

    @Test
    public void aRefusalEndsTheFlowAndShowsInJson() {
        t.step("user", "key service", "release").refused("PolicyDeny: debug");
        assertTrue(t.isRefused());
        Map<String, Object> json = t.toJson();
        assertEquals("PolicyDeny: debug", json.get("refused"));
        assertEquals(List.of(Map.of("n", 1, "from", "user", "to", "key service", "text", "release")),
                json.get("steps"));
        assertTrue(t.render().endsWith("REFUSED: PolicyDeny: debug\n"));
    }

    @Test
    public void anUnknownPartyIsRefusedByName() {
        try {
            t.step("user", "host", "x");
            fail();
        } catch (IllegalArgumentException e) {
            assertEquals("unknown party 'host'; the timeline's parties are [user, CVM, key service]", e.getMessage());
        }
    }
}
