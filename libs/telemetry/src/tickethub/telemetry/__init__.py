"""OpenTelemetry for every TicketHub process, configured once from the process settings.

One booking is one trace: Litestar server spans, httpx client spans, Kafka producer/consumer spans
(FastStream's middleware puts the consumer span under the producer's context) and DB/Redis spans all
share the W3C context; the outbox stores that context and re-attaches it when it publishes.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from litestar.plugins.opentelemetry import OpenTelemetryConfig, OpenTelemetryPlugin
from opentelemetry import context, propagate, trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.instrumentation.utils import suppress_instrumentation
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from tickethub.settings import ProcessSettings

_provider: TracerProvider | None = None


def configure_telemetry(settings: ProcessSettings) -> TracerProvider:
    """Installs the process-wide tracer provider and library instrumentation (once per process)."""
    global _provider  # noqa: PLW0603 - OpenTelemetry's provider is process-global by design
    if _provider is not None:
        return _provider
    _provider = TracerProvider(resource=Resource.create({SERVICE_NAME: settings.service_name}))
    if settings.otlp_endpoint:
        # The exporter reads OTEL_EXPORTER_OTLP_* itself (endpoint, headers, timeout).
        _provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(_provider)
    AsyncPGInstrumentor().instrument(tracer_provider=_provider)  # type: ignore[no-untyped-call]
    RedisInstrumentor().instrument(tracer_provider=_provider)
    HTTPXClientInstrumentor().instrument(tracer_provider=_provider)
    return _provider


def shutdown_telemetry() -> None:
    """Flushes spans still buffered so the last requests of a process are not lost."""
    if _provider is not None:
        _provider.force_flush(timeout_millis=5_000)


def litestar_plugin(provider: TracerProvider) -> OpenTelemetryPlugin:
    return OpenTelemetryPlugin(
        OpenTelemetryConfig(
            tracer_provider=provider, exclude=["/livez", "/readyz"], exclude_spans=["receive", "send"]
        )
    )


def kafka_middleware(provider: TracerProvider) -> KafkaTelemetryMiddleware:
    return KafkaTelemetryMiddleware(tracer_provider=provider)


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
