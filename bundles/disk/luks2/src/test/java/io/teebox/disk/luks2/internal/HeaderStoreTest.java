package io.teebox.disk.luks2.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.teebox.disk.luks2.Luks2Exception;
import io.teebox.disk.luks2.Luks2Exception.Reason;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class HeaderStoreTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private FileChannel image() throws IOException {
        Path p = tmp.newFile().toPath();
        FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE);
        HeaderStore.writeAt(ch, (16L << 20) - 1, new byte[1]);
        Metadata m = Metadata.parse(MetadataTest.cryptsetupJson(), 0x4000);
        HeaderStore.write(ch, m, 0x4000, 7, "0df4f74a-b55a-4b8b-a6ec-28d3b4a370ec", "root", new SecureRandom());
        return ch;
    }

    @Test
    public void bothCopiesAreWrittenWithTheirOwnSaltAndTheSameSeqid() throws IOException {
        try (FileChannel ch = image()) {
            BinaryHeader.Parsed p = BinaryHeader.parse(HeaderStore.readAt(ch, 0, 0x4000, "primary"), 0, false);
            BinaryHeader.Parsed s = BinaryHeader.parse(HeaderStore.readAt(ch, 0x4000, 0x4000, "secondary"), 0x4000,
                    true);
            assertEquals(p.json(), s.json());
            assertEquals(7, p.header().seqid());
            assertEquals(7, s.header().seqid());
            assertFalse(Arrays.equals(p.header().salt(), s.header().salt()));
            HeaderStore.Loaded l = HeaderStore.read(ch);
            assertFalse(l.recovered());
            assertFalse(l.header().secondary());
            assertEquals("root", l.header().label());
        }
    }

    @Test
    public void theCopyWithTheHigherSeqidWins() throws IOException {
        try (FileChannel ch = image()) {
            BinaryHeader.Parsed s = BinaryHeader.parse(HeaderStore.readAt(ch, 0x4000, 0x4000, "secondary"), 0x4000,
                    true);
            BinaryHeader h = s.header();
            BinaryHeader newer = new BinaryHeader(true, h.hdrSize(), 8, "newer", "sha256", h.salt(), h.uuid(), "",
                    h.hdrOffset());
            HeaderStore.writeAt(ch, 0x4000, newer.write(s.json()));
            HeaderStore.Loaded l = HeaderStore.read(ch);
            assertTrue(l.header().secondary());
            assertEquals(8, l.header().seqid());
            assertEquals("newer", l.header().label());
        }
    }

    @Test
    public void aDamagedSecondaryLeavesThePrimaryInUse() throws IOException {
        try (FileChannel ch = image()) {
            HeaderStore.writeAt(ch, 0x4000 + 5000, new byte[] {'#'});
            HeaderStore.Loaded l = HeaderStore.read(ch);
            assertFalse(l.recovered());
            assertEquals(Reason.BAD_CHECKSUM, l.otherFailure().reason());
            assertFalse(l.header().secondary());
        }
    }

    @Test
    public void aDamagedPrimaryIsReplacedByTheSecondaryAndBothDamagedNameThePrimarysFault() throws IOException {
        try (FileChannel ch = image()) {
            HeaderStore.writeAt(ch, 8, new byte[] {0, 0, 0, 0, 0, 0, 0x50, 0}); // hdr_size 0x5000
            HeaderStore.Loaded l = HeaderStore.read(ch);
            assertTrue(l.recovered());
            assertEquals(Reason.BAD_OFFSET, l.otherFailure().reason());
            HeaderStore.writeAt(ch, 0x4000, new byte[] {'L'});
            Luks2Exception e = assertThrows(Luks2Exception.class, () -> HeaderStore.read(ch));
            assertEquals(Reason.BAD_OFFSET, e.reason());
            assertNotEquals(-1, e.getMessage().indexOf("no valid secondary header either (at 0x4000: LUKS2 "
                    + "secondary header magic at 0x4000 is 4c4b554cbabe, expected 534b554cbabe)"));
        }
    }
}
