package io.teebox.attestation.gcp.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

/** What the tests share: one PKI for the class (RSA keys are slow to make), a project, a settable clock. */
final class Fixtures {

    static final GcpSigner SIGNER = signer();
    static final Project PROJECT = new Project("teebox-project", "123456789012", "us-central1-a", "20261201",
            Duration.ofHours(1), "");

    private Fixtures() {
    }

    private static GcpSigner signer() {
        byte[] json = GcpSigner.generate().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return GcpSigner.kept((name, create) -> json);
    }

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-12-01T12:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    static ConfidentialComputing service(FakeTokens tokens, Clock clock) {
        return new ConfidentialComputing(tokens, SIGNER, PROJECT, name -> name.equals("td1")
                ? Optional.of(new ConfidentialComputing.Instance("td1", PROJECT.instanceId("g-1"))) : Optional.empty(),
                clock);
    }
}
