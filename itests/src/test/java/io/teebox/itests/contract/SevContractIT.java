package io.teebox.itests.contract;

import javax.inject.Inject;

import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;

import io.teebox.itests.TeeboxTestSupport;
import io.teebox.tck.BackendContract;
import io.teebox.tck.ContractSubject;

/** The sev backend passes the backend contract. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SevContractIT extends BackendContract {

    @Inject
    private BundleContext context;

    /** @return the platform's bundles */
    @Configuration
    public Option[] configuration() {
        return TeeboxTestSupport.platform();
    }

    @Override
    protected ContractSubject subject() {
        return new AmdSubject(context, "sev", "cek");
    }
}
