"""OpenTelemetry for every TicketHub process, configured once from the process settings.

One booking is one trace: Litestar server spans, httpx client spans, Kafka producer/consumer spans
(FastStream's middleware puts the consumer span under the producer's context) and DB/Redis spans all
share the W3C context; the outbox stores that context and re-attaches it when it publishes.

The same instrumentation records metrics (HTTP server and client durations, Kafka publish and process
durations and counts) into a Prometheus registry that each service serves at /metrics.
"""

import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import cast

from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from litestar import Litestar
from litestar.exceptions import HTTPException
from litestar.plugins.opentelemetry import OpenTelemetryConfig, OpenTelemetryPlugin
from litestar.types import Scope
from litestar.utils import normalize_path
from opentelemetry import context, metrics, propagate, trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.exporter.prometheus import PrometheusMetricReader
from opentelemetry.exporter.zipkin.json import ZipkinExporter
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.instrumentation.utils import suppress_instrumentation
from opentelemetry.sdk.metrics import Histogram, MeterProvider
from opentelemetry.sdk.metrics.view import ExplicitBucketHistogramAggregation, View
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.semconv.attributes.http_attributes import HTTP_ROUTE

from tickethub.settings import ProcessSettings
from tickethub.telemetry.topic_naming import TopicNamingMeter


@dataclass(frozen=True)
class Telemetry:
    tracer_provider: TracerProvider
    meter_provider: MeterProvider


_telemetry: Telemetry | None = None


def configure_telemetry(settings: ProcessSettings) -> Telemetry:
    """Installs the process-wide tracer and meter providers and library instrumentation (once per process)."""
    global _telemetry  # noqa: PLW0603 - OpenTelemetry's providers are process-global by design
    if _telemetry is not None:
        return _telemetry
    # The stable HTTP conventions (http.server.request.duration in seconds, http.request.method, ...),
    # which the instrumentations emit only when asked; read once, when the first one is set up.
    os.environ.setdefault("OTEL_SEMCONV_STABILITY_OPT_IN", "http")
    resource = Resource.create({SERVICE_NAME: settings.service_name})
    tracer_provider = TracerProvider(resource=resource)
    if exporter := span_exporter(settings):
        tracer_provider.add_span_processor(BatchSpanProcessor(exporter))
    # Pull-based: the reader renders the current values into prometheus_client's registry per scrape.
    # No otel_scope_* labels: which library recorded a series is noise on every one of them.
    meter_provider = MeterProvider(
        resource=resource,
        metric_readers=[PrometheusMetricReader(scope_info_enabled=False)],
        views=_SECONDS_HISTOGRAM_VIEWS,
    )
    trace.set_tracer_provider(tracer_provider)
    metrics.set_meter_provider(meter_provider)
    AsyncPGInstrumentor().instrument(tracer_provider=tracer_provider)  # type: ignore[no-untyped-call]
    RedisInstrumentor().instrument(tracer_provider=tracer_provider)
    HTTPXClientInstrumentor().instrument(tracer_provider=tracer_provider, meter_provider=meter_provider)
    _telemetry = Telemetry(tracer_provider, meter_provider)
    return _telemetry


def span_exporter(settings: ProcessSettings) -> SpanExporter | None:
    """The exporter OTEL_TRACES_EXPORTER names; each reads its own OTEL_EXPORTER_<NAME>_* variables
    (endpoint, headers, timeout). None: spans are not exported."""
    match settings.traces_exporter:
        case "otlp" if settings.otlp_endpoint:
            return OTLPSpanExporter()
        case "zipkin":
            return ZipkinExporter(endpoint=settings.zipkin_endpoint)
    return None


def shutdown_telemetry() -> None:
    """Flushes spans still buffered so the last requests of a process are not lost."""
    if _telemetry is not None:
        _telemetry.tracer_provider.force_flush(timeout_millis=5_000)


def litestar_plugin(telemetry: Telemetry, *, unobserved: Sequence[str]) -> OpenTelemetryPlugin:
    """Server spans and HTTP metrics for every request except to the `unobserved` paths (probes, scrapes)."""
    return OpenTelemetryPlugin(
        OpenTelemetryConfig(
            tracer_provider=telemetry.tracer_provider,
            meter_provider=telemetry.meter_provider,
            exclude=[f"^{path}$" for path in unobserved],
            exclude_spans=["receive", "send"],
            scope_span_details_extractor=route_template_details,
        )
    )


# The OpenTelemetry semantic conventions' boundaries for durations in seconds (HTTP and messaging); the
# SDK's default ones (0, 5, 10 ... 10000) are meant for milliseconds and put every message in one bucket.
DURATION_BUCKETS_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0)
_SECONDS_HISTOGRAM_VIEWS = [
    View(
        instrument_type=Histogram,
        instrument_unit="s",
        aggregation=ExplicitBucketHistogramAggregation(boundaries=DURATION_BUCKETS_SECONDS),
    )
]
_PARAMETER_TYPE = re.compile(r"\{(\w+):[^}]*\}")


def route_template_details(scope: Scope) -> tuple[str, dict[str, str]]:
    """Span name `GET /bookings/{booking_id}` and `http.route` the matched template, as the HTTP conventions
    ask. Litestar's default puts the concrete path there (one metric series per booking id), because its
    telemetry wraps the app before routing; so the route is looked up here, in the router's own cache.
    """
    method = str(scope.get("method", "")).strip()
    path = scope["path"]
    if root_path := scope.get("root_path"):
        path = path.split(root_path, maxsplit=1)[-1]
    try:
        *_, template = Litestar.from_scope(scope).asgi_router.handle_routing(
            path=normalize_path(path), method=method
        )
    except HTTPException:  # no route (404, 405): the conventions leave http.route out then
        return method or "HTTP", {}
    route = _PARAMETER_TYPE.sub(r"{\1}", template)
    return f"{method} {route}", {HTTP_ROUTE: route}


def kafka_middleware(telemetry: Telemetry) -> KafkaTelemetryMiddleware:
    """Producer/consumer spans and the messaging.publish/process duration and count metrics, every one
    labelled with the topic as `messaging.destination.name`."""
    # Only the two methods FastStream calls: a third would fail loudly at start, not record nothing.
    meter = cast(metrics.Meter, TopicNamingMeter(telemetry.meter_provider.get_meter("faststream")))
    return KafkaTelemetryMiddleware(tracer_provider=telemetry.tracer_provider, meter=meter)


def current_trace_carrier() -> dict[str, str]:
    """The active W3C trace context as headers, to store beside work that continues elsewhere."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


@contextmanager
def untraced() -> Iterator[None]:
    """For background polling (outbox relay, hold sweeps): a query every second is not a trace."""
    with suppress_instrumentation():
        yield


@contextmanager
def continued_trace(carrier: dict[str, str]) -> Iterator[None]:
    """Makes a stored trace context current, so spans started inside join that trace.

    It starts from an empty context, so it also traces work inside `untraced()`.
    """
    token = context.attach(propagate.extract(carrier, context=context.Context()))
    try:
        yield
    finally:
        context.detach(token)
