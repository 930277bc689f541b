package io.teebox.attestation.gcp.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The GCP scenario's configuration (pid {@code io.teebox.attestation.gcp}): the emulated project and its services. */
@ObjectClassDefinition(name = "teebox GCP scenario", description = "Google Cloud's Confidential Computing "
        + "attestation (/gcp/v1) and Cloud KMS (/kms/v1) as teebox emulates them")
@interface GcpConfig {

    /** The prefix of the state directory's files (under the platform's state directory). */
    String STATE = "gcp";

    @AttributeDefinition(name = "Project id", description = "The project the TDs run in (submods.gce.project_id, "
            + "sub): 6 to 30 lower-case letters, digits or '-', starting with a letter")
    String project_id() default "teebox-project";

    @AttributeDefinition(name = "Project number", description = "The project's number (submods.gce.project_number):"
            + " 1 to 20 digits")
    String project_number() default "123456789012";

    @AttributeDefinition(name = "Zone", description = "The zone the TDs run in (submods.gce.zone), for example "
            + "us-central1-a")
    String zone() default "us-central1-a";

    @AttributeDefinition(name = "OS version", description = "The swversion claim: the image's version, YYYYMM##")
    String swversion() default "20261201";

    @AttributeDefinition(name = "Token lifetime", description = "How long an attestation token is valid, in seconds "
            + "(60..86400; Google's are valid for an hour)")
    int token_lifetime_seconds() default 3600;

    @AttributeDefinition(name = "KMS audience", description = "The audience the key service requires in a token "
            + "(a Workload Identity pool provider's); empty for //iam.googleapis.com/projects/<project number>/"
            + "locations/global/workloadIdentityPools/teebox/providers/attestation")
    String kms_audience() default "";

    @AttributeDefinition(name = "KMS store", description = "The key service's key rings and keys, a JSON file "
            + "relative to the state directory unless absolute")
    String kms_store() default "gcp/kms.json";
}
