package io.teebox.kbs.internal;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.Test;

/** The resource policy's grammar and decisions over EAR claims. */
public class ResourcePolicyTest {

    private static Map<String, Object> ear(String... statuses) {
        Map<String, Object> subs = new java.util.LinkedHashMap<>();
        for (int i = 0; i < statuses.length; i++) {
            subs.put(i == 0 ? "cpu0" : "gpu" + (i - 1), Map.of("ear.status", statuses[i],
                    "ear.trustworthiness-vector", Map.of("configuration", i == 0 ? 2 : 96)));
        }
        return Map.of("submods", subs);
    }

    private static final ResourcePath KEY = ResourcePath.parse("default/key/disk");

    @Test
    public void theDefaultReleasesOnlyWhenEverySubmodAffirms() {
        ResourcePolicy p = ResourcePolicy.parse(ResourcePolicy.DEFAULT);
        assertTrue(p.decide(KEY, ear("affirming")).allowed());
        assertTrue(p.decide(KEY, ear("affirming", "affirming")).allowed());
        ResourcePolicy.Decision d = p.decide(KEY, ear("affirming", "contraindicated"));
        assertFalse(d.allowed());
        assertTrue(d.reason(), d.reason().contains("submods.gpu0.ear.status is 'contraindicated', not one of"));
        ResourcePolicy.Decision none = p.decide(KEY, Map.of("submods", Map.of()));
        assertFalse(none.reason(), none.allowed());
        assertTrue(none.reason(), none.reason().contains("has no claim submods.*.ear.status"));
        assertFalse(p.decide(KEY, Map.of()).allowed());
    }

    @Test
    public void theFirstMatchingRuleDecidesAndNoMatchDenies() {
        ResourcePolicy p = ResourcePolicy.parse("{\"rules\": ["
                + "{\"resources\": [\"open/*\"], \"allow\": []},"
                + "{\"resources\": [\"default/key/*\"], \"allow\": [{\"claim\": [\"submods\", \"*\", "
                + "\"ear.trustworthiness-vector\", \"configuration\"], \"max\": 32}]}]}");
        assertTrue(p.decide(ResourcePath.parse("open/a/b"), Map.of()).allowed());
        assertTrue(p.decide(KEY, ear("warning")).allowed());
        ResourcePolicy.Decision d = p.decide(KEY, ear("affirming", "affirming"));
        assertFalse(d.allowed());
        assertTrue(d.reason(), d.reason().contains("above the maximum 32"));
        ResourcePolicy.Decision other = p.decide(ResourcePath.parse("x/y/z"), ear("affirming"));
        assertFalse(other.allowed());
        assertTrue(other.reason(), other.reason().contains("no rule"));
        ResourcePolicy eq = ResourcePolicy.parse("{\"rules\": [{\"resources\": [\"*\"], \"allow\": [{\"claim\": "
                + "[\"list\", \"*\"], \"equals\": true}]}]}");
        assertTrue(eq.decide(KEY, Map.of("list", List.of(true, true))).allowed());
        assertFalse(eq.decide(KEY, Map.of("list", List.of(true, "true"))).allowed());
    }

    @Test
    public void badPoliciesAreRefusedWithTheReason() {
        for (String[] c : new String[][] {
            {"not json", "not JSON"},
            {"{}", "{\"rules\""},
            {"{\"rules\": [{\"resources\": [], \"allow\": []}]}", "rules[0].resources is empty"},
            {"{\"rules\": [{\"resources\": [\"*\"], \"allow\": [{\"claim\": [\"a\"]}]}]}", "has no test"},
            {"{\"rules\": [{\"resources\": [\"*\"], \"allow\": [{\"claim\": [\"a\"], \"in\": [\"x\"], \"max\": 1}]}]}",
                "both"},
            {"{\"rules\": [{\"resources\": [\"*\"], \"allow\": [{\"claim\": [\"a\"], \"max\": \"1\"}]}]}",
                "max must be a number"},
            {"{\"rules\": [], \"extra\": 1}", "unknown member 'extra'"}}) {
            KbsProblem p = assertThrows(c[0], KbsProblem.class, () -> ResourcePolicy.parse(c[0]));
            assertTrue(p.getMessage(), p.getMessage().contains(c[1]));
        }
    }
}
