package io.teebox.boot.eventlog;

import io.teebox.kit.codec.MalformedStructureException;

/**
 * An event log or one of its event data structures that does not match the TCG PC Client Platform Firmware Profile:
 * truncated, a size that runs past the buffer, an algorithm the log did not declare, a digest count that differs
 * from the log's banks, a wrong signature. The message is one line saying what was found and what was expected.
 */
public class EventLogException extends MalformedStructureException {

    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param structName the structure, e.g. "TCG_PCR_EVENT2"
     * @param field the field at fault, or null
     * @param message the one-line message
     */
    public EventLogException(String structName, String field, String message) {
        super(structName, field, message);
    }
}
