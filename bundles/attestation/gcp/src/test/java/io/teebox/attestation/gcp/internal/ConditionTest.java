package io.teebox.attestation.gcp.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.Test;

/** The CEL subset of the key service's conditions: each operator, precedence, errors and the denial reasons. */
public class ConditionTest {

    private static Map<String, Object> claims() {
        Map<String, Object> gce = new LinkedHashMap<>();
        gce.put("zone", "us-central1-a");
        gce.put("project_id", "teebox-project");
        Map<String, Object> tdx = new LinkedHashMap<>();
        tdx.put("mrtd", "aa11");
        Map<String, Object> submods = new LinkedHashMap<>();
        submods.put("gce", gce);
        submods.put("tdx", tdx);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("hwmodel", "GCP_INTEL_TDX");
        c.put("dbgstat", "disabled-since-boot");
        c.put("oemid", 11129L);
        c.put("secboot", false);
        c.put("swversion", List.of("20261201"));
        c.put("eat_nonce", List.of("nonce-one", "nonce-two"));
        c.put("submods", submods);
        c.put("ear.status", "affirming");
        return c;
    }

    private static Condition.Decision eval(String condition) {
        return Condition.parse(condition).evaluate(claims());
    }

    private static void allows(String condition) {
        Condition.Decision d = eval(condition);
        assertTrue(condition + ": " + d.reason(), d.allowed());
    }

    private static String denies(String condition) {
        Condition.Decision d = eval(condition);
        assertFalse(condition + " should deny", d.allowed());
        assertFalse("one line: " + d.reason(), d.reason().contains("\n"));
        return d.reason();
    }

    private static String malformed(String condition) {
        Condition.SyntaxError e = assertThrows(Condition.SyntaxError.class, () -> Condition.parse(condition));
        assertFalse("one line: " + e.getMessage(), e.getMessage().contains("\n"));
        return e.getMessage();
    }

    @Test
    public void equalsAndNotEqualsCompareStringsIntsAndBools() {
        allows("assertion.hwmodel == 'GCP_INTEL_TDX'");
        allows("assertion.hwmodel == \"GCP_INTEL_TDX\"");
        allows("assertion.oemid == 11129");
        allows("assertion.secboot == false");
        allows("assertion.hwmodel != 'GCP_AMD_SEV'");
        allows("assertion.swversion == ['20261201']");
        assertEquals("assertion.hwmodel == 'GCP_AMD_SEV' is false: assertion.hwmodel is 'GCP_INTEL_TDX'",
                denies("assertion.hwmodel == 'GCP_AMD_SEV'"));
        assertEquals("assertion.oemid != 11129 is false: assertion.oemid is 11129", denies("assertion.oemid != 11129"));
    }

    @Test
    public void andNamesItsFirstFailingOperandAndTheClaimsValue() {
        allows("assertion.hwmodel == 'GCP_INTEL_TDX' && assertion.dbgstat == 'disabled-since-boot'");
        Map<String, Object> debug = claims();
        debug.put("dbgstat", "enabled");
        Condition.Decision d = Condition.parse("assertion.hwmodel == 'GCP_INTEL_TDX' && assertion.dbgstat == "
                + "'disabled-since-boot' && 'tdx' in assertion.submods").evaluate(debug);
        assertFalse(d.allowed());
        assertEquals("assertion.dbgstat == 'disabled-since-boot' is false: assertion.dbgstat is 'enabled'", d.reason());
    }

    @Test
    public void orHoldsWhenEitherSideHoldsAndNamesBothWhenNeither() {
        allows("assertion.hwmodel == 'GCP_AMD_SEV' || assertion.hwmodel == 'GCP_INTEL_TDX'");
        allows("assertion.hwmodel == 'GCP_INTEL_TDX' || assertion.hwmodel == 'GCP_AMD_SEV'");
        assertEquals("neither assertion.hwmodel == 'A' is false: assertion.hwmodel is 'GCP_INTEL_TDX' nor "
                + "assertion.hwmodel == 'B' is false: assertion.hwmodel is 'GCP_INTEL_TDX'",
                denies("assertion.hwmodel == 'A' || assertion.hwmodel == 'B'"));
    }

    @Test
    public void notInvertsAndExplains() {
        allows("!(assertion.dbgstat == 'enabled')");
        allows("!assertion.secboot");
        assertEquals("!(assertion.hwmodel == 'GCP_INTEL_TDX') is false: assertion.hwmodel == 'GCP_INTEL_TDX' is true",
                denies("!(assertion.hwmodel == 'GCP_INTEL_TDX')"));
        assertEquals("assertion.secboot is false", denies("assertion.secboot"));
    }

    @Test
    public void inTestsMapKeysAndListMembers() {
        allows("'tdx' in assertion.submods");
        allows("'nonce-two' in assertion.eat_nonce");
        allows("assertion.hwmodel in ['GCP_AMD_SEV', 'GCP_INTEL_TDX']");
        assertEquals("'confidential_space' in assertion.submods is false: assertion.submods has keys [gce, tdx]",
                denies("'confidential_space' in assertion.submods"));
        assertEquals("assertion.dbgstat in ['enabled'] is false: assertion.dbgstat is 'disabled-since-boot', "
                + "['enabled'] is ['enabled']", denies("assertion.dbgstat in ['enabled']"));
    }

    @Test
    public void fieldAccessAndIndexReachNestedClaims() {
        allows("assertion.submods.tdx.mrtd == 'aa11'");
        allows("assertion.submods['gce'].zone == 'us-central1-a'");
        allows("assertion['ear.status'] == 'affirming'");
        allows("assertion.eat_nonce[1] == 'nonce-two'");
    }

    @Test
    public void andBindsTighterThanOrAndNotTighterThanEquals() {
        // false && x || true: (false && x) || true holds; with || first it would not
        allows("assertion.hwmodel == 'X' && assertion.oemid == 1 || assertion.secboot == false");
        // true || x && false: true || (x && false) holds
        allows("assertion.secboot == false || assertion.hwmodel == 'X' && assertion.oemid == 1");
        denies("(assertion.secboot == false || assertion.hwmodel == 'X') && assertion.oemid == 1");
        // ! applies to its operand only: !secboot == true is (!secboot) == true
        allows("!assertion.secboot == true");
    }

    @Test
    public void aMissingClaimDeniesNamingThePath() {
        assertEquals("assertion.swname is missing: assertion has no key 'swname' (keys [hwmodel, dbgstat, oemid, "
                + "secboot, swversion, eat_nonce, submods, ear.status])", denies("assertion.swname == 'GCE'"));
        assertTrue(denies("assertion.submods.confidential_space.support_attributes == 'x'")
                .startsWith("assertion.submods.confidential_space is missing"));
    }

    @Test
    public void errorsFollowCelsLogicalRules() {
        // false && error is false; true || error is true; otherwise the error wins
        assertEquals("assertion.hwmodel == 'X' is false: assertion.hwmodel is 'GCP_INTEL_TDX'",
                denies("assertion.hwmodel == 'X' && assertion.missing == 1"));
        allows("assertion.hwmodel == 'GCP_INTEL_TDX' || assertion.missing == 1");
        assertTrue(denies("assertion.hwmodel == 'GCP_INTEL_TDX' && assertion.missing == 1").contains("is missing"));
    }

    @Test
    public void comparingDifferentTypesDeniesNamingBoth() {
        assertEquals("assertion.oemid == '11129': cannot compare int 11129 with string '11129'",
                denies("assertion.oemid == '11129'"));
        assertTrue(denies("assertion.hwmodel && true").contains("assertion.hwmodel is string 'GCP_INTEL_TDX', not "
                + "bool"));
        assertTrue(denies("!assertion.hwmodel").contains("'!' takes a bool"));
        assertTrue(denies("'x' in assertion.hwmodel").contains("'in' takes a list or a map"));
        assertEquals("the condition is of type string, not bool", denies("assertion.hwmodel"));
        assertTrue(denies("assertion.hwmodel.x == 1").contains("is string 'GCP_INTEL_TDX', not a map"));
        assertTrue(denies("other.x == 1").contains("undeclared reference 'other'"));
    }

    @Test
    public void malformedConditionsNameThePosition() {
        assertEquals("condition: at position 21: expected a value, found the end of the condition",
                malformed("assertion.hwmodel =="));
        assertEquals("condition: at position 19: '=' alone is not an operator (did you mean '=='?)",
                malformed("assertion.hwmodel = 'x'"));
        assertEquals("condition: at position 22: the string is not closed with '",
                malformed("assertion.hwmodel == 'GCP"));
        assertEquals("condition: at position 3: expected ')', found the end of the condition", malformed("(a"));
        assertEquals("condition: at position 11: expected a field name after '.', found '1'",
                malformed("assertion.1"));
        assertEquals("condition: at position 8: expected an operator or the end, found 'b'", malformed("a == 1 b"));
        assertEquals("condition: at position 8: relations do not chain: parenthesize, found '=='",
                malformed("a == b == c"));
        assertEquals("condition: at position 3: unexpected character '<' (this subset of CEL has == != && || ! in . "
                + "[] and string, int and bool literals)", malformed("a < 1"));
        assertTrue(malformed("a == 99999999999999999999").contains("does not fit in 64 bits"));
        assertEquals("condition is empty", malformed("  "));
        assertTrue(malformed("a == '" + "x".repeat(5000) + "'").contains("at most 4096"));
        assertTrue(malformed("(".repeat(100) + "a" + ")".repeat(100)).contains("nesting deeper than 64"));
        assertTrue(malformed("a == 'x\\q'").contains("unknown escape"));
    }
}
