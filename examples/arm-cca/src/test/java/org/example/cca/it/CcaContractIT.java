package org.example.cca.it;

import io.teebox.tck.BackendContract;
import io.teebox.tck.ContractSubject;
import io.teebox.tck.OsgiSubject;
import java.util.List;
import javax.inject.Inject;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;

/**
 * The CCA backend passes teebox's backend contract. A relying party trusts the platform's CPAK (its public key is
 * what Arm's endorsements carry; the platform publishes it as its {@code cpak} certificate).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class CcaContractIT extends BackendContract {

    @Inject
    private BundleContext context;

    /** @return the core and the backend */
    @Configuration
    public Option[] configuration() {
        return CcaPlatform.withBackend();
    }

    @Override
    protected ContractSubject subject() {
        return new OsgiSubject(context, "cca") {
            @Override
            public List<byte[]> trustedRoots() {
                return List.of(backend().platformCertificates().get("cpak"));
            }
        };
    }
}
