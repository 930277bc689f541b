package io.teebox.api.hypervisor;

/** The guest owner refused a launch, for example because the measurement is not the expected one. */
public class LaunchRejectedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param reason what was found and what was expected
     */
    public LaunchRejectedException(String reason) {
        super(reason);
    }
}
