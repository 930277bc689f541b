package io.teebox.attestation.azure.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.Test;

/** Key Vault's release-policy grammar: every operator, nesting, missing claims, type mismatches, malformed policies. */
public class ReleasePolicyTest {

    private static final String MAA = "https://sharedeus.eus.attest.azure.net";

    private static Map<String, Object> claims() {
        Map<String, Object> tee = new LinkedHashMap<>();
        tee.put("x-ms-attestation-type", "sevsnpvm");
        tee.put("x-ms-compliance-status", "azure-compliant-cvm");
        tee.put("x-ms-sevsnpvm-is-debuggable", false);
        tee.put("x-ms-sevsnpvm-guestsvn", 2L);
        tee.put("x-ms-sevsnpvm-launchmeasurement", "ad6de16abc");
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("iss", MAA);
        c.put("x-ms-attestation-type", "azurevm");
        c.put("x-ms-isolation-tee", tee);
        c.put("x-ms-ver", "1.0");
        return c;
    }

    private static String policy(String... conditions) {
        return "{\"version\":\"1.0.0\",\"anyOf\":[{\"authority\":\"" + MAA + "/\",\"allOf\":[" + String.join(",",
                conditions) + "]}]}";
    }

    private static String eval(String... conditions) {
        ReleasePolicy.Outcome o = ReleasePolicy.parse(policy(conditions)).evaluate(claims(), MAA);
        assertEquals(o.reason(), o.released(), o.reason() == null);
        return o.reason();
    }

    private static String c(String claim, String op, String value) {
        return "{\"claim\":\"" + claim + "\",\"" + op + "\":" + value + "}";
    }

    private static final String SVN = "x-ms-isolation-tee.x-ms-sevsnpvm-guestsvn";
    private static final String DBG = "x-ms-isolation-tee.x-ms-sevsnpvm-is-debuggable";

    @Test
    public void everyOperatorHoldsAndFailsWithTheClaimAndItsValue() {
        assertNull(eval(c(DBG, "equals", "false")));
        assertEquals(DBG + " is false, the release policy requires true", eval(c(DBG, "equals", "true")));
        assertNull(eval(c("x-ms-isolation-tee.x-ms-attestation-type", "equals", "\"SEVSNPVM\"")));
        assertNull(eval(c("x-ms-isolation-tee.x-ms-attestation-type", "notEquals", "\"tdxvm\"")));
        assertEquals("x-ms-isolation-tee.x-ms-attestation-type is 'sevsnpvm', the release policy requires not to "
                + "equal 'sevsnpvm'", eval(c("x-ms-isolation-tee.x-ms-attestation-type", "notEquals",
                        "\"sevsnpvm\"")));
        assertNull(eval(c(SVN, "equals", "2")));
        assertNull(eval(c(SVN, "equals", "2.0")));
        assertNull(eval(c(SVN, "less", "3")));
        assertEquals(SVN + " is 2, the release policy requires less than 2", eval(c(SVN, "less", "2")));
        assertNull(eval(c(SVN, "lessOrEquals", "2")));
        assertEquals(SVN + " is 2, the release policy requires at most 1", eval(c(SVN, "lessOrEquals", "1")));
        assertNull(eval(c(SVN, "greater", "1")));
        assertEquals(SVN + " is 2, the release policy requires greater than 2", eval(c(SVN, "greater", "2")));
        assertNull(eval(c(SVN, "greaterOrEquals", "2")));
        assertEquals(SVN + " is 2, the release policy requires at least 3", eval(c(SVN, "greaterOrEquals", "3")));
        assertNull(eval(c("x-ms-ver", "exists", "true")));
        assertNull(eval(c("x-ms-nothing", "exists", "false")));
        assertEquals("x-ms-nothing is missing, the release policy requires it", eval(c("x-ms-nothing", "exists",
                "true")));
        assertEquals("x-ms-ver is present, the release policy requires it absent", eval(c("x-ms-ver", "exists",
                "false")));
    }

    @Test
    public void allOfStopsAtTheFirstFailureAndAnyOfNeedsOne() {
        assertEquals(DBG + " is false, the release policy requires true", eval(c(SVN, "equals", "2"), c(DBG,
                "equals", "true"), c(SVN, "equals", "9")));
        String anyOf = "{\"anyOf\":[" + c(SVN, "equals", "9") + "," + c(DBG, "equals", "false") + "]}";
        assertNull(eval(anyOf));
        String none = "{\"anyOf\":[" + c(SVN, "equals", "9") + "," + c(DBG, "equals", "true") + "]}";
        assertEquals("none of the 2 conditions of an anyOf holds; the first: " + SVN + " is 2, the release policy "
                + "requires 9", eval(none));
        String nested = "{\"allOf\":[{\"anyOf\":[" + c(SVN, "greater", "5") + ",{\"allOf\":[" + c(SVN, "equals", "2")
                + "," + c(DBG, "equals", "false") + "]}]}]}";
        assertNull(eval(nested));
        // the authority level may be anyOf too, and its member names are matched ignoring case (Azure Policy's rule)
        String text = "{\"version\":\"1.0.0\",\"ANYOF\":[{\"authority\":\"https://other.attest.azure.net\",\"allOf\":["
                + c(SVN, "equals", "2") + "]},{\"Authority\":\"" + MAA + "\",\"anyof\":[" + c(SVN, "equals", "7")
                + "," + c(SVN, "equals", "2") + "]}]}";
        assertTrue(ReleasePolicy.parse(text).evaluate(claims(), MAA).released());
    }

    @Test
    public void aMissingClaimOrAnotherTypeFailsNamingIt() {
        assertEquals("x-ms-isolation-tee.x-ms-sevsnpvm-vmpl is missing from the token, the release policy requires "
                + "it to equal 0", eval(c("x-ms-isolation-tee.x-ms-sevsnpvm-vmpl", "equals", "0")));
        assertEquals(DBG + " is false (a boolean, the policy's value a string), the release policy requires it to "
                + "equal 'false'", eval(c(DBG, "equals", "\"false\"")));
        assertEquals(SVN + " is 2 (a number, the policy's value a string), the release policy requires it not to "
                + "equal '2'", eval(c(SVN, "notEquals", "\"2\"")));
        assertEquals("x-ms-isolation-tee is {x-ms-attestation-type=sevsnpvm, x-ms-compliance-status=azure-compliant-"
                + "cvm, x-ms-sevsnpvm-is-debuggable=false, x-ms-sevsnpvm-guestsvn=2, x-ms-sevsnpvm-launchmeasurement="
                + "ad6de16abc} (an object, the policy's value a number), the release policy requires it at least 1",
                eval(c("x-ms-isolation-tee", "greaterOrEquals", "1")));
        assertEquals("x-ms-ver.sub is missing from the token, the release policy requires it to equal 'x'",
                eval(c("x-ms-ver.sub", "equals", "\"x\"")));
    }

    @Test
    public void anotherIssuerIsNoAuthority() {
        ReleasePolicy p = ReleasePolicy.parse(policy(c(SVN, "equals", "2")));
        ReleasePolicy.Outcome o = p.evaluate(claims(), "https://evil.example");
        assertFalse(o.released());
        assertEquals("the token's issuer https://evil.example is not an authority of the release policy ["
                + MAA + "/]", o.reason());
    }

    @Test
    public void aMalformedPolicyIsRefusedInOneLineNamingTheElement() {
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("", "release policy: is empty");
        bad.put("{\"version\":\"1.0.0\",\"anyOf\":[", "release policy: not JSON");
        bad.put("[]", "release policy: must be a JSON object {version, anyOf}");
        bad.put("{\"anyOf\":[]}", "release policy: version is missing; accepted: \"1.0.0\"");
        bad.put("{\"version\":\"2.0\",\"anyOf\":[]}", "release policy: version is \"2.0\"; accepted: \"1.0.0\"");
        bad.put("{\"version\":\"1.0.0\",\"anyOf\":[]}", "release policy.anyOf is empty; it must be a non-empty array");
        bad.put("{\"version\":\"1.0.0\",\"allOf\":[]}", "release policy: unknown member 'allOf'");
        bad.put("{\"version\":\"1.0.0\",\"anyOf\":[{\"allOf\":[]}]}", "anyOf[0].authority is missing; it must be the "
                + "attestation service's issuer URL");
        bad.put("{\"version\":\"1.0.0\",\"anyOf\":[{\"authority\":\"a\"}]}",
                "anyOf[0]: an authority needs exactly one of anyOf, allOf");
        bad.put(policy("{\"claim\":\"x\",\"equal\":1}"), "anyOf[0].allOf[0]: unknown operator 'equal'; accepted: "
                + "equals, notEquals, less, lessOrEquals, greater, greaterOrEquals, exists");
        bad.put(policy("{\"claim\":\"x\",\"equals\":1,\"less\":2}"), "anyOf[0].allOf[0]: two operators, equals and "
                + "less; a condition has one");
        bad.put(policy("{\"claim\":\"x\"}"), "anyOf[0].allOf[0]: no operator for claim x; accepted: equals, "
                + "notEquals, less, lessOrEquals, greater, greaterOrEquals, exists");
        bad.put(policy("{\"equals\":1}"), "anyOf[0].allOf[0]: claim is missing; a condition is {claim, <operator>: "
                + "value} or {anyOf|allOf: [...]}");
        bad.put(policy(c("x", "less", "\"3\"")), "anyOf[0].allOf[0].less is \"3\"; it compares numbers");
        bad.put(policy(c("x", "exists", "1")), "anyOf[0].allOf[0].exists is 1; it takes true or false");
        bad.put(policy(c("x", "equals", "[1]")), "anyOf[0].allOf[0].equals is an array; a value is a string, a "
                + "number, true or false");
        bad.put(policy(c("a", "equals", "1"), "{\"anyOf\":[" + c("b", "equals", "1") + ",{\"allOf\":[]}]}"),
                "anyOf[0].allOf[1].anyOf[1].allOf is empty; it must be a non-empty array");
        bad.put(policy("{\"anyOf\":[" + c("b", "equals", "1") + "],\"allOf\":[" + c("b", "equals", "1") + "]}"),
                "anyOf[0].allOf[0]: a condition has one of anyOf, allOf, not both");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            IllegalArgumentException x = assertThrows(e.getKey(), IllegalArgumentException.class,
                    () -> ReleasePolicy.parse(e.getKey()));
            assertTrue(e.getKey() + " -> " + x.getMessage(), x.getMessage().startsWith(e.getValue()));
            assertFalse(x.getMessage(), x.getMessage().contains("\n"));
        }
    }

    @Test
    public void theSamplePolicyOfAzuresDocsParses() {
        // from the Key Vault SKR walkthrough for SEV-SNP CVMs (release_policy.data of its sample key), decoded
        String sample = "{\"version\":\"1.0.0\",\"anyOf\":[{\"authority\":\"https://sharedweu.weu.attest.azure.net\","
                + "\"allOf\":[{\"claim\":\"x-ms-isolation-tee.x-ms-attestation-type\",\"equals\":\"sevsnpvm\"},"
                + "{\"claim\":\"x-ms-isolation-tee.x-ms-compliance-status\",\"equals\":\"azure-compliant-cvm\"}]}]}";
        ReleasePolicy p = ReleasePolicy.parse(sample);
        assertEquals(List.of("https://sharedweu.weu.attest.azure.net"), p.authorities().stream()
                .map(ReleasePolicy.Authority::issuer).toList());
        Map<String, Object> c = claims();
        assertTrue(p.evaluate(c, "https://sharedweu.weu.attest.azure.net/").released());
    }
}
