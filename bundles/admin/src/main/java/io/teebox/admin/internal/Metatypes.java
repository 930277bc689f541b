package io.teebox.admin.internal;

import java.util.Map;
import java.util.TreeMap;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/** The pids and factory pids every bundle's metatype describes. */
final class Metatypes {

    /** A described pid: its object class, the bundle describing it, and whether it is a factory pid. */
    record Described(String pid, ObjectClassDefinition ocd, Bundle bundle, boolean factory) {
    }

    private Metatypes() {
    }

    /**
     * @param context any bundle context
     * @param metatype the metatype service
     * @return every described pid and factory pid, by pid
     */
    static Map<String, Described> all(BundleContext context, MetaTypeService metatype) {
        Map<String, Described> out = new TreeMap<>();
        for (Bundle b : context.getBundles()) {
            if (b.getState() == Bundle.UNINSTALLED) {
                continue;
            }
            MetaTypeInformation info;
            try {
                info = metatype.getMetaTypeInformation(b);
            } catch (RuntimeException e) {
                continue;
            }
            if (info == null) {
                continue;
            }
            for (String pid : info.getPids()) {
                add(out, info, b, pid, false);
            }
            for (String pid : info.getFactoryPids()) {
                add(out, info, b, pid, true);
            }
        }
        return out;
    }

    private static void add(Map<String, Described> out, MetaTypeInformation info, Bundle b, String pid,
            boolean factory) {
        try {
            ObjectClassDefinition ocd = info.getObjectClassDefinition(pid, null);
            if (ocd != null) {
                out.putIfAbsent(pid, new Described(pid, ocd, b, factory));
            }
        } catch (IllegalArgumentException e) {
            // a pid whose object class the bundle's metatype does not resolve: not described
        }
    }

    /**
     * @param context any bundle context
     * @param metatype the metatype service
     * @param pid a pid, or a factory pid
     * @return its description, or null
     */
    static Described find(BundleContext context, MetaTypeService metatype, String pid) {
        return all(context, metatype).get(pid);
    }
}
