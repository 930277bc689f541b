package io.teebox.attestation.api;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import org.junit.Test;

public class CanonicalJsonTest {

    @Test
    public void membersAreSortedByUtf16CodeUnitsWithoutWhiteSpace() {
        // RFC 8785 3.2.3's sorting example: "\u20ac" (€) sorts after "\r" and before "\ud83d\ude00" (😀) by code unit
        String in = "{ \"\\u20ac\": 1, \"\\r\": 2, \"\\ud83d\\ude00\": 3, \"1\": [true, null, \"a\\u0001\"],"
                + " \"b\": {\"z\": 0, \"a\": -10} }";
        assertEquals("{\"\\r\":2,\"1\":[true,null,\"a\\u0001\"],\"b\":{\"a\":-10,\"z\":0},\"\u20ac\":1,"
                + "\"\ud83d\ude00\":3}", CanonicalJson.write(com.google.gson.JsonParser.parseString(in)));
    }

    @Test
    public void integersArePrintedPlainAndFractionsRefused() {
        assertEquals("[100,0]", CanonicalJson.write(com.google.gson.JsonParser.parseString("[1E2, -0]")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CanonicalJson.write(com.google.gson.JsonParser.parseString("[1.5]")));
        assertEquals("number 1.5 is not an integer within +-2^53; put it in a string", e.getMessage());
    }
}
