package io.teebox.api.memory;

/** What the untrusted host tries to do to a page of guest private memory. */
public enum HostAccess {
    /** Read the page. */
    READ,
    /** Write the page. */
    WRITE,
    /** Map the page's backing host page at another guest physical address, or swap two backing pages. */
    REMAP,
    /** Put back an older ciphertext of the same page. */
    REPLAY
}
