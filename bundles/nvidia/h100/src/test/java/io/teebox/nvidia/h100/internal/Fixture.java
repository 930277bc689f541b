package io.teebox.nvidia.h100.internal;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Backends over a test PKI and a state directory, configured as ConfigAdmin would. */
final class Fixture {

    final TestNvidia nvidia = new TestNvidia();
    final Path state;

    Fixture(Path state) {
        this.state = state;
    }

    static H100Config config(Map<String, Object> values) {
        return (H100Config) Proxy.newProxyInstance(H100Config.class.getClassLoader(), new Class<?>[] {
            H100Config.class}, (proxy, method, args) -> {
                if (values.containsKey(method.getName())) {
                    return values.get(method.getName());
                }
                if (method.getDefaultValue() != null) {
                    return method.getDefaultValue();
                }
                return switch (method.getName()) {
                    case "annotationType" -> H100Config.class;
                    case "toString" -> "H100Config" + values;
                    case "hashCode" -> values.hashCode();
                    case "equals" -> proxy == args[0];
                    default -> throw new IllegalStateException(method.getName());
                };
            });
    }

    H100Backend backend(Map<String, Object> values) {
        return new H100Backend(config(values), nvidia, new TestPlatform(state));
    }

    H100Backend backend() {
        return backend(new HashMap<>());
    }
}
