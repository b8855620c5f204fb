package io.herald.node.ops;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;

/**
 * The node's Prometheus registry. Services record into Micrometer's global registry (they never depend on the
 * node); this registry joins it for the life of the ActorSystem and is what /metrics renders.
 */
public final class HeraldMetrics implements Extension {

  public static final Id ID = new Id();

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();

  private HeraldMetrics(ActorSystem system) {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    gc.bindTo(registry);
    Metrics.addRegistry(registry);
    system.registerOnTermination(() -> {
      Metrics.removeRegistry(registry);
      gc.close();
      registry.close();
    });
  }

  public static HeraldMetrics get(ActorSystem system) {
    return ID.get(system);
  }

  /** Prometheus text exposition format. */
  public String scrape() {
    return registry.scrape();
  }

  public static final class Id extends AbstractExtensionId<HeraldMetrics> implements ExtensionIdProvider {
    @Override
    public HeraldMetrics createExtension(ExtendedActorSystem system) {
      return new HeraldMetrics(system);
    }

    @Override
    public Id lookup() {
      return ID;
    }
  }
}
