"""Reading a /metrics scrape the way Prometheus reads it, to assert on what a service measured."""

from prometheus_client.parser import text_string_to_metric_families


def sample_total(exposition: str, sample: str, **labels: str) -> float:
    """The sum of every `sample` series whose labels include `labels` (0 when there is none yet)."""
    return sum(
        point.value
        for family in text_string_to_metric_families(exposition)
        for point in family.samples
        if point.name == sample and labels.items() <= point.labels.items()
    )


def label_values(exposition: str, sample: str, label: str) -> set[str]:
    """Every value `label` takes across the `sample` series."""
    return {
        point.labels.get(label, "")
        for family in text_string_to_metric_families(exposition)
        for point in family.samples
        if point.name == sample
    }
