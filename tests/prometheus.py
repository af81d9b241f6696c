"""Reading ``/metrics`` as Prometheus does (its text format, parsed by prometheus_client)."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families


def prometheus_samples(text: str) -> list[tuple[str, dict[str, str], float]]:
    """Every sample: (name, labels, value)."""
    return [
        (sample.name, dict(sample.labels), sample.value)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    ]


def prometheus_figures(text: str) -> dict[str, float]:
    """The unlabelled samples by name (the database figures)."""
    return {name: value for name, labels, value in prometheus_samples(text) if not labels}


def prometheus_value(text: str, name: str, **labels: str) -> float:
    """The sum of the samples named `name` whose labels include `labels` (0 if none)."""
    return sum(
        value
        for sample_name, sample_labels, value in prometheus_samples(text)
        if sample_name == name and labels.items() <= sample_labels.items()
    )
