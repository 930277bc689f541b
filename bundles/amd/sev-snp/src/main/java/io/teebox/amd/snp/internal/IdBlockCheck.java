package io.teebox.amd.snp.internal;

import java.security.PublicKey;
import java.util.Arrays;

import io.teebox.amd.abi.SevStatus;
import io.teebox.amd.abi.SnpIdBlock;
import io.teebox.amd.sp.CommandLog;
import io.teebox.amd.sp.SnpIdentity;
import io.teebox.api.tee.TeeException;
import io.teebox.kit.codec.Struct;
import io.teebox.kit.hex.Hex;

/**
 * The ID block checks of SNP_LAUNCH_FINISH: the ID authentication structure's key algorithms and signatures (ID
 * key over the ID block, author key over the ID key), then the ID block's launch digest and policy against the
 * launch's. Refusals are logged as SNP_LAUNCH_FINISH's; nothing changes unless all pass.
 */
final class IdBlockCheck {

    private static final String CMD = "SNP_LAUNCH_FINISH";

    private IdBlockCheck() {
    }

    /**
     * @param idBlock the ID block (96 bytes)
     * @param idAuth the ID authentication structure (4096 bytes)
     * @param launchDigest the launch's digest
     * @param policy the guest policy
     * @param log where refusals are recorded
     * @return what the guest context takes from the ID block
     * @throws TeeException INVALID_PARAM, BAD_SIGNATURE, BAD_MEASUREMENT or POLICY_FAILURE
     */
    static SnpIdentity check(byte[] idBlock, byte[] idAuth, byte[] launchDigest, long policy, CommandLog log) {
        Struct block;
        Struct auth;
        try {
            block = SnpIdBlock.ID_BLOCK.parse(idBlock);
            auth = SnpIdBlock.ID_AUTH.parse(idAuth);
        } catch (IllegalArgumentException e) {
            throw log.refuse(CMD, SevStatus.INVALID_PARAM, e.getMessage());
        }
        if (auth.u32("ID_KEY_ALGO") != SnpIdBlock.ECDSA_P384_SHA384) {
            throw log.refuse(CMD, SevStatus.INVALID_PARAM, "ID_KEY_ALGO is " + auth.u32("ID_KEY_ALGO")
                    + ", expected 1 (ECDSA P-384 with SHA-384)");
        }
        byte[] idKey = auth.bytes("ID_KEY");
        PublicKey idPub;
        try {
            idPub = SnpIdBlock.parseKey(idKey);
        } catch (TeeException e) {
            throw log.refuse(CMD, SevStatus.INVALID_PARAM, e.getMessage());
        }
        if (!SnpIdBlock.verify(idPub, idBlock, auth.bytes("ID_BLOCK_SIG"))) {
            throw log.refuse(CMD, SevStatus.BAD_SIGNATURE, "ID_BLOCK_SIG does not verify with the ID key");
        }
        boolean authorEn = auth.u32("AUTH_KEY_ALGO") == SnpIdBlock.ECDSA_P384_SHA384;
        if (authorEn) {
            try {
                if (!SnpIdBlock.verify(SnpIdBlock.parseKey(auth.bytes("AUTHOR_KEY")), idKey,
                        auth.bytes("ID_KEY_SIG"))) {
                    throw log.refuse(CMD, SevStatus.BAD_SIGNATURE, "ID_KEY_SIG does not verify with the author key");
                }
            } catch (TeeException e) {
                if (e.status().name().equals("BAD_SIGNATURE")) {
                    throw e;
                }
                throw log.refuse(CMD, SevStatus.INVALID_PARAM, "author key: " + e.getMessage());
            }
        }
        if (!Arrays.equals(launchDigest, block.bytes("LD"))) {
            throw log.refuse(CMD, SevStatus.BAD_MEASUREMENT, "the ID block expects launch digest "
                    + Hex.encode(block.bytes("LD")) + ", the launch measured " + Hex.encode(launchDigest));
        }
        if (block.u64("POLICY") != policy) {
            throw log.refuse(CMD, SevStatus.POLICY_FAILURE, String.format("the ID block's policy 0x%X is not the "
                    + "guest policy 0x%X", block.u64("POLICY"), policy));
        }
        return new SnpIdentity(block.bytes("FAMILY_ID"), block.bytes("IMAGE_ID"), block.u32("GUEST_SVN"),
                SnpIdBlock.keyDigest(idKey), authorEn ? SnpIdBlock.keyDigest(auth.bytes("AUTHOR_KEY"))
                        : new byte[48], authorEn);
    }
}
