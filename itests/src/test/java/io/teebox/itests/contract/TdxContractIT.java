package io.teebox.itests.contract;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import javax.inject.Inject;

import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;

import io.teebox.intel.pcs.IntelPcs;
import io.teebox.itests.TeeboxTestSupport;
import io.teebox.tck.BackendContract;
import io.teebox.tck.ContractSubject;
import io.teebox.tck.OsgiSubject;

/** The TDX backend passes the backend contract; a relying party trusts the Intel SGX Root CA. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class TdxContractIT extends BackendContract {

    @Inject
    private BundleContext context;

    /** @return the platform's bundles */
    @Configuration
    public Option[] configuration() {
        return TeeboxTestSupport.platform();
    }

    @Override
    protected ContractSubject subject() {
        return new OsgiSubject(context, "tdx") {
            @Override
            public List<byte[]> trustedRoots() {
                return List.of(service(IntelPcs.class, null).rootCaCertificate());
            }

            @Override
            public Map<String, String> measurementReference(byte[] digest) {
                return Map.of("mrtd", HexFormat.of().formatHex(digest));
            }
        };
    }
}
