from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader

from tickethub.telemetry.topic_naming import TopicNamingMeter


def recorded_attributes(reader: InMemoryMetricReader) -> dict[str, list[dict[str, object]]]:
    data = reader.get_metrics_data()
    assert data is not None
    return {
        metric.name: [dict(point.attributes or {}) for point in metric.data.data_points]
        for resource in data.resource_metrics
        for scope in resource.scope_metrics
        for metric in scope.metrics
    }


def test_a_consumed_topic_is_labelled_as_the_conventions_name_it_and_nothing_else_changes() -> None:
    reader = InMemoryMetricReader()
    meter = TopicNamingMeter(MeterProvider(metric_readers=[reader]).get_meter("test"))
    consumed = meter.create_counter("messaging.process.messages", unit="message")
    published = meter.create_histogram("messaging.publish.duration", unit="s")

    consumed.add(
        1, {"messaging.system": "kafka", "messaging.destination_publish.name": "booking.requested.v1"}
    )
    published.record(
        0.01, {"messaging.system": "kafka", "messaging.destination.name": "payment.succeeded.v1"}
    )

    assert recorded_attributes(reader) == {
        "messaging.process.messages": [
            {"messaging.system": "kafka", "messaging.destination.name": "booking.requested.v1"}
        ],
        "messaging.publish.duration": [
            {"messaging.system": "kafka", "messaging.destination.name": "payment.succeeded.v1"}
        ],
    }
