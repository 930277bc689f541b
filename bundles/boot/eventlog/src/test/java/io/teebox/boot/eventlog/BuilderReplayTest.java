package io.teebox.boot.eventlog;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import io.teebox.kit.hex.Hex;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.junit.Test;

/** The builder's digests and the replay against values computed outside the module (Python hashlib). */
public class BuilderReplayTest {

    @Test
    public void aSeparatorExtendsTheDigestOfFourZeroBytes() {
        PcrBanks pcrs = EventLogBuilder.forBanks(HashAlgorithm.SHA256).separator(7).build().replay();
        // sha256(32 zero bytes || sha256(00000000))
        assertEquals("3d458cfe55cc03ea1f443f1562beec8df51c75e14a9fcf9a7234a13f198e7969",
                Hex.encode(pcrs.value(HashAlgorithm.SHA256, 7)));
        assertEquals(Set.of(7), pcrs.extended());
        assertEquals("00".repeat(32), Hex.encode(pcrs.value(HashAlgorithm.SHA256, 0)));
    }

    @Test
    public void pcr0StartsAtTheStartupLocalityAndEvNoActionExtendsNothing() {
        EventLog log = EventLogBuilder.forBanks(HashAlgorithm.SHA256).startupLocality(3)
                .noAction(0, "ignored".getBytes(StandardCharsets.US_ASCII))
                .extend(0, EventType.EV_S_CRTM_VERSION, new byte[] {'v'}).build();
        // sha256(00..03 || sha256("v"))
        assertEquals("38b95cc52fab0111d71036ee1601b4b12b61bfee27a65c2cb6c0c8460a876494",
                Hex.encode(log.replay().value(HashAlgorithm.SHA256, 0)));
        assertThrows(IllegalStateException.class, () -> EventLogBuilder.forBanks(HashAlgorithm.SHA256)
                .extend(0, EventType.EV_S_CRTM_VERSION, new byte[2]).startupLocality(3));
    }

    @Test
    public void grubMeasuresTheStringWithoutItsPrefixAndLogsItWithNul() {
        EventLog log = GrubMeasurements.command(EventLogBuilder.forBanks(HashAlgorithm.SHA384), "boot").build();
        TcgPcrEvent2 e = log.events().get(0);
        assertEquals(8, e.pcrIndex());
        assertEquals(EventType.EV_IPL.value(), e.eventType());
        assertArrayEquals("grub_cmd: boot\0".getBytes(StandardCharsets.US_ASCII), e.event());
        assertArrayEquals(HashAlgorithm.SHA384.digest("boot".getBytes(StandardCharsets.US_ASCII)),
                e.digest(HashAlgorithm.SHA384).orElseThrow());
        // sha384(48 zero bytes || sha384("boot"))
        assertEquals("2e3cfb213f2a8088cdd8c70b356f0222cf23755754d96b23d5f56349f9b45b38137ef0f68d045a63b16f953920ddfe92",
                Hex.encode(log.replay().value(HashAlgorithm.SHA384, 8)));
        TcgPcrEvent2 file = GrubMeasurements.file(EventLogBuilder.forBanks(HashAlgorithm.SHA256), "/vmlinuz",
                new byte[] {1, 2}).build().events().get(0);
        assertEquals(9, file.pcrIndex());
        assertArrayEquals("/vmlinuz\0".getBytes(StandardCharsets.US_ASCII), file.event());
        assertArrayEquals(HashAlgorithm.SHA256.digest(new byte[] {1, 2}), file.digest(HashAlgorithm.SHA256).get());
    }

    @Test
    public void precomputedDigestsAreLoggedAsGivenAndMustCoverEveryBank() {
        byte[] sha256 = HashAlgorithm.SHA256.digest(new byte[] {9});
        byte[] sha384 = HashAlgorithm.SHA384.digest(new byte[] {9});
        EventLog log = EventLogBuilder.forBanks(HashAlgorithm.SHA256, HashAlgorithm.SHA384)
                .extend(4, EventType.EV_EFI_BOOT_SERVICES_APPLICATION, new UefiImageLoadEvent(0, 0, 0, new byte[0])
                        .write(), Measured.digests(Map.of(HashAlgorithm.SHA256, sha256, HashAlgorithm.SHA384, sha384)))
                .build();
        assertArrayEquals(sha256, log.events().get(0).digest(HashAlgorithm.SHA256).get());
        assertArrayEquals(sha384, log.events().get(0).digest(HashAlgorithm.SHA384).get());
        EventLogBuilder b = EventLogBuilder.forBanks(HashAlgorithm.SHA256, HashAlgorithm.SHA384);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.extend(4,
                EventType.EV_EFI_BOOT_SERVICES_APPLICATION, new byte[0],
                Measured.digests(Map.of(HashAlgorithm.SHA256, sha256))));
        assertEquals("the precomputed digests need a 48-byte SHA384 digest, got none", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> b.extend(0, EventType.EV_NO_ACTION, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> b.extend(24, EventType.EV_IPL, new byte[0]));
    }

    @Test
    public void everyBankOfARecordIsTheDigestOfTheSameBytes() {
        byte[] kernel = "kernel".getBytes(StandardCharsets.US_ASCII);
        TcgPcrEvent2 e = EventLogBuilder.forBanks(HashAlgorithm.SHA1, HashAlgorithm.SHA256, HashAlgorithm.SHA384,
                HashAlgorithm.SHA512).extend(9, EventType.EV_IPL, new byte[] {0}, Measured.bytes(kernel)).build()
                .events().get(0);
        for (HashAlgorithm a : HashAlgorithm.values()) {
            assertArrayEquals(a.toString(), a.digest(kernel), e.digest(a).orElseThrow());
        }
    }
}
