package io.teebox.amd.abi;

import static io.teebox.kit.testing.Fuzzing.assertSame;
import static io.teebox.kit.testing.Fuzzing.check;
import static io.teebox.kit.testing.Fuzzing.typed;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.teebox.api.tee.TeeException;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.codec.Struct;
import io.teebox.kit.testing.Fuzzing.Parts;
import java.security.PublicKey;

/**
 * The ID block and ID authentication structure an owner gives SNP_LAUNCH_FINISH. Input ({@link Parts}): the
 * ID_BLOCK bytes, the ID_AUTH_INFO bytes, and a key structure of any length. The layouts refuse with a
 * {@link MalformedStructureException}; keys are refused with a {@link TeeException} (INVALID_PARAM), or
 * round-trip; a signature check answers true or false.
 */
class SnpIdBlockFuzzTest {

    @FuzzTest
    void idBlocksAndKeysParseOrAreRefused(byte[] data) {
        Parts in = new Parts(data);
        byte[] blockBytes = in.next();
        byte[] authBytes = in.next();
        byte[] keyBytes = in.next();
        Struct block = typed(() -> SnpIdBlock.ID_BLOCK.parse(blockBytes), MalformedStructureException.class);
        Struct auth = typed(() -> SnpIdBlock.ID_AUTH.parse(authBytes), MalformedStructureException.class);
        key(keyBytes);
        if (block != null) {
            assertSame("ID_BLOCK", blockBytes, block.toBytes());
        }
        if (auth == null) {
            return;
        }
        assertSame("ID_AUTH_INFO", authBytes, auth.toBytes());
        PublicKey idKey = key(auth.bytes("ID_KEY"));
        PublicKey authorKey = key(auth.bytes("AUTHOR_KEY"));
        check("key digests are 48 bytes", SnpIdBlock.keyDigest(auth.bytes("ID_KEY")).length == 48);
        if (idKey != null) {
            SnpIdBlock.verify(idKey, blockBytes, auth.bytes("ID_BLOCK_SIG"));
        }
        if (authorKey != null) {
            SnpIdBlock.verify(authorKey, auth.bytes("ID_KEY"), auth.bytes("ID_KEY_SIG"));
        }
    }

    private static PublicKey key(byte[] bytes) {
        PublicKey k = typed(() -> SnpIdBlock.parseKey(bytes), TeeException.class);
        if (k != null) {
            byte[] again = SnpIdBlock.publicKey(k);
            check("parseKey(publicKey(k)) == k", SnpIdBlock.parseKey(again).equals(k));
        }
        return k;
    }
}
