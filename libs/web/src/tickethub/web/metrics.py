"""`/metrics`: the process's OpenTelemetry metrics in Prometheus' text format, for a ServiceMonitor.

Like the probes it is served on the service's port but never routed through the public entrypoint or
Ingress (the path table has no /metrics), so it needs no token.
"""

from litestar.plugins.prometheus import PrometheusController

METRICS_PATH = "/metrics"


class MetricsController(PrometheusController):
    path = METRICS_PATH
    include_in_schema = False
    opt = {"exclude_from_auth": True}
