"""FastStream's Kafka metrics with the topic under one label name on both sides.

FastStream labels what it consumed with the publish-side key (messaging.destination_publish.name); the
OpenTelemetry conventions name the topic messaging.destination.name for producers and consumers alike,
so that publish and process series join on one label. The meter handed to its middleware renames it.
"""

from opentelemetry import metrics
from opentelemetry.context import Context
from opentelemetry.util.types import Attributes

_CONSUMED_TOPIC = "messaging.destination_publish.name"
_TOPIC = "messaging.destination.name"


def _named_topic(attributes: Attributes) -> Attributes:
    if not attributes or _CONSUMED_TOPIC not in attributes:
        return attributes
    renamed = {key: value for key, value in attributes.items() if key != _CONSUMED_TOPIC}
    renamed[_TOPIC] = attributes[_CONSUMED_TOPIC]
    return renamed


class _TopicNamingHistogram:
    def __init__(self, histogram: metrics.Histogram) -> None:
        self._histogram = histogram

    def record(self, amount: float, attributes: Attributes = None, context: Context | None = None) -> None:
        self._histogram.record(amount, _named_topic(attributes), context)


class _TopicNamingCounter:
    def __init__(self, counter: metrics.Counter) -> None:
        self._counter = counter

    def add(self, amount: float, attributes: Attributes = None, context: Context | None = None) -> None:
        self._counter.add(amount, _named_topic(attributes), context)


class TopicNamingMeter:
    """The two instrument kinds FastStream's middleware creates, with the topic under its convention name."""

    def __init__(self, meter: metrics.Meter) -> None:
        self._meter = meter

    def create_histogram(self, name: str, unit: str = "", description: str = "") -> _TopicNamingHistogram:
        return _TopicNamingHistogram(self._meter.create_histogram(name, unit=unit, description=description))

    def create_counter(self, name: str, unit: str = "", description: str = "") -> _TopicNamingCounter:
        return _TopicNamingCounter(self._meter.create_counter(name, unit=unit, description=description))
