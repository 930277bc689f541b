package io.teebox.amd.verify.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of an AMD KDS reached over HTTP (factory pid {@code io.teebox.amd.kds.http}). */
@ObjectClassDefinition(name = "teebox AMD KDS over HTTP",
        description = "An AMD Key Distribution Service the SNP verifier fetches VCEKs, cert_chains and CRLs from "
                + "when evidence lacks them: AMD's own (https://kdsintf.amd.com) or another teebox's")
public @interface KdsHttpConfig {

    @AttributeDefinition(name = "URL", description = "The KDS's base URL, without a path, for example "
            + "https://kdsintf.amd.com or http://127.0.0.1:8440")
    String url();

    @AttributeDefinition(name = "Connect timeout (ms)", description = "How long to wait for a connection, 1..60000")
    int connectTimeoutMs() default 5000;

    @AttributeDefinition(name = "Read timeout (ms)", description = "How long to wait for an answer, 1..120000")
    int readTimeoutMs() default 10000;

    @AttributeDefinition(name = "Ranking", description = "Sources are asked highest ranking first (service.ranking)")
    int service_ranking() default 0;
}
