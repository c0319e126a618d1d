"""The published AsyncAPI document: up to date with the code, complete, and every reference resolving."""

from pathlib import Path
from typing import Any

import pytest
import yaml

from tickethub.contracts import ALL_TOPICS, Topic
from tickethub.contracts.asyncapi import document, render

COMMITTED = Path(__file__).resolve().parents[3] / "docs" / "asyncapi.yaml"


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMMITTED.read_text())
    return loaded


def resolve(spec: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), f"{ref} is not a local reference"
    node: Any = spec
    for part in ref[2:].split("/"):
        assert isinstance(node, dict), f"{ref}: {part} is not inside an object"
        assert part in node, f"{ref} does not resolve: no {part}"
        node = node[part]
    return node


def references(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in references(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in references(value)]
    return []


def operations_of(spec: dict[str, Any], channel: str, action: str) -> list[dict[str, Any]]:
    return [
        operation
        for operation in spec["operations"].values()
        if operation["channel"]["$ref"] == f"#/channels/{channel}" and operation["action"] == action
    ]


def test_the_committed_document_is_what_the_code_generates() -> None:
    assert COMMITTED.read_text() == render(), "docs/asyncapi.yaml is out of date: run `make asyncapi`"


def test_the_document_is_asyncapi_3() -> None:
    generated = document()
    assert generated["asyncapi"] == "3.0.0"
    assert generated["info"]["title"]
    assert generated["info"]["version"]
    for operation_id, operation in generated["operations"].items():
        assert operation["action"] in {"send", "receive"}, operation_id
    for message_id, message in generated["components"]["messages"].items():
        assert {"name", "summary", "contentType", "headers", "payload"} <= message.keys(), message_id


def test_every_reference_resolves(spec: dict[str, Any]) -> None:
    found = references(spec)
    assert found
    for ref in found:
        resolve(spec, ref)


def test_operations_send_and_receive_only_messages_of_their_channel(spec: dict[str, Any]) -> None:
    """AsyncAPI 3: an operation's messages must be a subset of its channel's messages."""
    for operation_id, operation in spec["operations"].items():
        channel = operation["channel"]["$ref"]
        for message in operation["messages"]:
            assert message["$ref"].startswith(channel + "/messages/"), operation_id


@pytest.mark.parametrize("topic", ALL_TOPICS, ids=lambda topic: topic.name)
def test_every_topic_and_its_dead_letter_twin_are_channels(spec: dict[str, Any], topic: Topic) -> None:
    for address in (topic.name, topic.dead_letter):
        channel = spec["channels"][address]
        assert channel["address"] == address
        assert channel["bindings"]["kafka"]["topic"] == address
        assert channel["bindings"]["kafka"]["partitions"] == topic.partitions


@pytest.mark.parametrize("topic", ALL_TOPICS, ids=lambda topic: topic.name)
def test_every_topic_names_its_producer_consumers_and_key(spec: dict[str, Any], topic: Topic) -> None:
    senders = operations_of(spec, topic.name, "send")
    assert [operation["tags"] for operation in senders] == [[{"name": topic.producer}]]
    receivers = operations_of(spec, topic.name, "receive")
    assert sorted(op["bindings"]["kafka"]["groupId"]["enum"] for op in receivers) == sorted(
        [consumer] for consumer in topic.consumers
    )
    dead_letterers = operations_of(spec, topic.dead_letter, "send")
    assert sorted(op["tags"][0]["name"] for op in dead_letterers) == sorted(topic.consumers)
    (message,) = spec["channels"][topic.name]["messages"].values()
    assert topic.key in resolve(spec, message["$ref"])["bindings"]["kafka"]["key"]["description"]


@pytest.mark.parametrize("topic", ALL_TOPICS, ids=lambda topic: topic.name)
def test_every_payload_schema_requires_each_field_the_event_sends(spec: dict[str, Any], topic: Topic) -> None:
    (message,) = spec["channels"][topic.name]["messages"].values()
    payload = resolve(spec, resolve(spec, message["$ref"])["payload"]["$ref"])
    sent = topic.event.model_json_schema(mode="serialization")["properties"].keys()
    assert payload["type"] == "object"
    assert set(payload["properties"]) == set(sent)
    assert set(payload["required"]) == set(sent), "every field is always sent"


def test_the_topics_table_is_complete() -> None:
    assert len({topic.name for topic in ALL_TOPICS}) == len(ALL_TOPICS)
    assert len({topic.event for topic in ALL_TOPICS}) == len(ALL_TOPICS), "one topic per event type"
    for topic in ALL_TOPICS:
        assert topic.producer, f"{topic.name} has no producer"
        assert topic.consumers, f"{topic.name} has no consumer"
        assert (topic.event.__doc__ or "").strip(), f"{topic.event.__name__} does not say what it means"
