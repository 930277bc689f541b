package io.teebox.tpm.vtpm.internal;

import io.teebox.tpm.abi.TpmsNvPublic;

/** A defined NV index: its public area, authValue and data. */
final class NvIndex {

    TpmsNvPublic publicArea;
    final byte[] authValue;
    final byte[] data;

    NvIndex(TpmsNvPublic publicArea, byte[] authValue, byte[] data) {
        this.publicArea = publicArea;
        this.authValue = authValue.clone();
        this.data = data;
    }

    boolean has(int bit) {
        return (publicArea.attributes() & bit) != 0;
    }
}
