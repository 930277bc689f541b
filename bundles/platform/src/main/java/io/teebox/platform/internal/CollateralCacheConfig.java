package io.teebox.platform.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** A collateral cache (factory pid {@code io.teebox.collateral.cache}), one per vendor. */
@ObjectClassDefinition(name = "teebox collateral cache", description = "Vendor collateral (certificates, CRLs, TCB "
        + "info, QE identity) kept in files, for verification without the vendor's service: cache mode stores what "
        + "the vendor's other collateral sources answer, offline mode serves only the files")
@interface CollateralCacheConfig {

    @AttributeDefinition(name = "Vendor", description = "The collateral's vendor, as the sources' collateral.vendor "
            + "property names it: amd, intel, nvidia, or a third party's (it is this source's collateral.vendor too)")
    String collateral_vendor();

    @AttributeDefinition(name = "Directory", description = "Where the files are, relative to the platform's state "
            + "directory unless absolute (copy it to an air-gapped machine and use mode offline there)")
    String directory() default "collateral";

    @AttributeDefinition(name = "Mode", description = "cache: serve a file when there is one, else ask the vendor's "
            + "other sources and keep their answer; offline: serve the files only, never ask", options = {
                @Option(label = "cache", value = "cache"), @Option(label = "offline", value = "offline")})
    String mode() default "cache";

    @AttributeDefinition(name = "Refresh after", description = "In cache mode, a file older than this many seconds "
            + "is fetched again (the old one is served if no source answers); 0 never (0..31536000)")
    long refresh_seconds() default 86_400;

    @AttributeDefinition(name = "Ranking", description = "The source's service.ranking: verifiers ask sources in "
            + "ranking order, so the cache is asked before the sources it caches")
    int service_ranking() default 1000;
}
