package io.teebox.tpm.abi;

/** TPM_CC command codes (Part 2, 6.5.2) of the commands CVM tooling sends. */
public enum TpmCc {
    /** TPM2_NV_UndefineSpaceSpecial. */
    NV_UndefineSpaceSpecial(0x11F),
    /** TPM2_EvictControl. */
    EvictControl(0x120),
    /** TPM2_HierarchyControl. */
    HierarchyControl(0x121),
    /** TPM2_NV_UndefineSpace. */
    NV_UndefineSpace(0x122),
    /** TPM2_Clear. */
    Clear(0x126),
    /** TPM2_HierarchyChangeAuth. */
    HierarchyChangeAuth(0x129),
    /** TPM2_NV_DefineSpace. */
    NV_DefineSpace(0x12A),
    /** TPM2_CreatePrimary. */
    CreatePrimary(0x131),
    /** TPM2_NV_Increment. */
    NV_Increment(0x134),
    /** TPM2_NV_Extend. */
    NV_Extend(0x136),
    /** TPM2_NV_Write. */
    NV_Write(0x137),
    /** TPM2_DictionaryAttackLockReset. */
    DictionaryAttackLockReset(0x139),
    /** TPM2_PCR_Reset. */
    PCR_Reset(0x13D),
    /** TPM2_SelfTest. */
    SelfTest(0x143),
    /** TPM2_Startup. */
    Startup(0x144),
    /** TPM2_Shutdown. */
    Shutdown(0x145),
    /** TPM2_NV_Read. */
    NV_Read(0x14E),
    /** TPM2_PolicySecret. */
    PolicySecret(0x151),
    /** TPM2_Create. */
    Create(0x153),
    /** TPM2_Load. */
    Load(0x157),
    /** TPM2_Quote. */
    Quote(0x158),
    /** TPM2_RSA_Decrypt. */
    RSA_Decrypt(0x159),
    /** TPM2_Sign. */
    Sign(0x15D),
    /** TPM2_Unseal. */
    Unseal(0x15E),
    /** TPM2_ContextLoad. */
    ContextLoad(0x161),
    /** TPM2_ContextSave. */
    ContextSave(0x162),
    /** TPM2_FlushContext. */
    FlushContext(0x165),
    /** TPM2_LoadExternal. */
    LoadExternal(0x167),
    /** TPM2_NV_ReadPublic. */
    NV_ReadPublic(0x169),
    /** TPM2_PolicyAuthValue. */
    PolicyAuthValue(0x16B),
    /** TPM2_PolicyCommandCode. */
    PolicyCommandCode(0x16C),
    /** TPM2_PolicyOR. */
    PolicyOR(0x171),
    /** TPM2_ReadPublic. */
    ReadPublic(0x173),
    /** TPM2_StartAuthSession. */
    StartAuthSession(0x176),
    /** TPM2_VerifySignature. */
    VerifySignature(0x177),
    /** TPM2_GetCapability. */
    GetCapability(0x17A),
    /** TPM2_GetRandom. */
    GetRandom(0x17B),
    /** TPM2_GetTestResult. */
    GetTestResult(0x17C),
    /** TPM2_Hash. */
    Hash(0x17D),
    /** TPM2_PCR_Read. */
    PCR_Read(0x17E),
    /** TPM2_PolicyPCR. */
    PolicyPCR(0x17F),
    /** TPM2_PolicyRestart. */
    PolicyRestart(0x180),
    /** TPM2_ReadClock. */
    ReadClock(0x181),
    /** TPM2_PCR_Extend. */
    PCR_Extend(0x182),
    /** TPM2_PolicyGetDigest. */
    PolicyGetDigest(0x189),
    /** TPM2_TestParms. */
    TestParms(0x18A),
    /** TPM2_PolicyPassword. */
    PolicyPassword(0x18C);

    private final int value;

    TpmCc(int value) {
        this.value = value;
    }

    /**
     * The spec value.
     *
     * @return the 32-bit TPM_CC
     */
    public int value() {
        return value;
    }

    /**
     * Finds a command by code.
     *
     * @param value the TPM_CC
     * @return the command
     * @throws TpmException with TPM_RC_COMMAND_CODE if the code is not one of this enum
     */
    public static TpmCc fromValue(int value) {
        for (TpmCc c : values()) {
            if (c.value == value) {
                return c;
            }
        }
        throw new TpmException(TpmRc.COMMAND_CODE, String.format("TPM_CC is 0x%08x, expected a known command", value));
    }
}
