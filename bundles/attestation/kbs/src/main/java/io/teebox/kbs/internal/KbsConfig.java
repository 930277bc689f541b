package io.teebox.kbs.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The key broker's configuration (pid {@code io.teebox.kbs}). */
@ObjectClassDefinition(name = "teebox key broker", description = "Trustee's KBS protocol under /kbs/v0 on the "
        + "platform's HTTP server")
@interface KbsConfig {

    @AttributeDefinition(name = "Store", description = "Where resources and the resource policy are kept: h2 (an H2 "
            + "MVStore file in the state directory) or postgresql (a database several brokers share)")
    String store() default "h2";

    @AttributeDefinition(name = "Store file", description = "The H2 MVStore file, relative to the state directory "
            + "unless absolute")
    String store_file() default "kbs/kbs.mv";

    @AttributeDefinition(name = "Session lifetime", description = "How long a kbs-session-id lives from /auth, in "
            + "seconds (1..86400)")
    int session_lifetime_seconds() default 300;

    @AttributeDefinition(name = "Sessions", description = "How many sessions are kept at once; the oldest go first "
            + "(1..1000000)")
    int session_capacity() default 10000;

    @AttributeDefinition(name = "PostgreSQL URL", description = "With store=postgresql: jdbc:postgresql://host:port/"
            + "database; the tables kbs_resources and kbs_meta are created on first use")
    String store_url() default "";

    @AttributeDefinition(name = "PostgreSQL user", description = "With store=postgresql: the user")
    String store_user() default "kbs";

    @AttributeDefinition(name = "PostgreSQL password", description = "With store=postgresql: the password (empty for "
            + "trust or peer authentication)", type = org.osgi.service.metatype.annotations.AttributeType.PASSWORD)
    String store_password() default "";
}
