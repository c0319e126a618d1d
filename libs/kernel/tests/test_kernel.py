"""Ids and clocks: the one reading of an id every service shares."""

import uuid
from datetime import UTC

import pytest

from tickethub.kernel import new_id, parse_id, utc_now


def test_a_canonical_id_reads_back_as_itself_in_either_case() -> None:
    made = new_id()
    assert parse_id(str(made)) == made
    assert parse_id(str(made).upper()) == made


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not-a-uuid",
        "1",
        uuid.uuid4().hex,  # 32 bare hex digits: a second spelling of an id
        "{" + str(uuid.uuid4()) + "}",
        "urn:uuid:" + str(uuid.uuid4()),
        str(uuid.uuid4()) + "\n",
        "g" * 8 + "-0000-0000-0000-" + "0" * 12,
    ],
)
def test_anything_else_names_no_id(text: str) -> None:
    assert parse_id(text) is None


def test_the_clock_tells_utc() -> None:
    assert utc_now().tzinfo is UTC
