import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.exporter.zipkin.json import ZipkinExporter

from tickethub.settings import ProcessSettings
from tickethub.telemetry import span_exporter


@pytest.fixture(autouse=True)
def no_exporter_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_ZIPKIN_ENDPOINT"):
        monkeypatch.delenv(variable, raising=False)


def test_spans_go_over_otlp_by_default_once_an_endpoint_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    assert span_exporter(ProcessSettings()) is None
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
    assert isinstance(span_exporter(ProcessSettings()), OTLPSpanExporter)


def test_the_zipkin_exporter_sends_to_its_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "zipkin")
    monkeypatch.setenv("OTEL_EXPORTER_ZIPKIN_ENDPOINT", "http://127.0.0.1:9411/api/v2/spans")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")  # not used then
    exporter = span_exporter(ProcessSettings())
    assert isinstance(exporter, ZipkinExporter)
    assert exporter.endpoint == "http://127.0.0.1:9411/api/v2/spans"


def test_none_exports_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "none")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
    assert span_exporter(ProcessSettings()) is None
