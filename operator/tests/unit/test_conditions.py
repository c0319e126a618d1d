"""Conditions follow the Kubernetes conventions: the transition time moves only when the status flips."""

from datetime import UTC, datetime, timedelta, timezone

from show_operator.conditions import (
    CATALOG_SYNCED,
    READY,
    Condition,
    find,
    is_true,
    timestamp,
    with_conditions,
)

EARLIER = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
NOW = EARLIER + timedelta(minutes=5)


def test_a_new_condition_carries_its_generation_and_the_time_it_was_set() -> None:
    conditions = with_conditions(
        [], [Condition(READY, False, "WaitingForBooking", "soon")], generation=3, now=NOW
    )
    assert conditions == [
        {
            "type": READY,
            "status": "False",
            "reason": "WaitingForBooking",
            "message": "soon",
            "lastTransitionTime": "2026-11-24T12:05:00Z",
            "observedGeneration": 3,
        }
    ]


def test_a_new_reason_or_message_with_the_same_status_keeps_the_transition_time() -> None:
    before = with_conditions([], [Condition(READY, True, "OnSale", "24 of 24")], generation=1, now=EARLIER)
    after = with_conditions(before, [Condition(READY, True, "SoldOut", "0 left")], generation=2, now=NOW)
    assert after[0]["lastTransitionTime"] == timestamp(EARLIER)
    assert (after[0]["reason"], after[0]["message"], after[0]["observedGeneration"]) == (
        "SoldOut",
        "0 left",
        2,
    )


def test_a_flipped_status_moves_the_transition_time() -> None:
    before = with_conditions([], [Condition(READY, True, "OnSale", "24 of 24")], generation=1, now=EARLIER)
    after = with_conditions(
        before, [Condition(READY, False, "BookingUnavailable", "503")], generation=1, now=NOW
    )
    assert after[0]["lastTransitionTime"] == timestamp(NOW)


def test_conditions_not_changed_are_kept_and_the_list_has_a_stable_order() -> None:
    foreign = {
        "type": "Audited",
        "status": "True",
        "reason": "Manual",
        "message": "",
        "lastTransitionTime": "x",
    }
    ready = with_conditions([foreign], [Condition(READY, True, "OnSale", "")], generation=1, now=EARLIER)
    both = with_conditions(ready, [Condition(CATALOG_SYNCED, True, "Synced", "")], generation=1, now=NOW)
    assert [condition["type"] for condition in both] == [CATALOG_SYNCED, READY, "Audited"]
    assert both[2] == foreign


def test_conditions_are_looked_up_by_type() -> None:
    conditions = with_conditions(
        [],
        [Condition(CATALOG_SYNCED, True, "Synced", ""), Condition(READY, False, "WaitingForBooking", "")],
        generation=1,
        now=NOW,
    )
    assert is_true(conditions, CATALOG_SYNCED)
    assert not is_true(conditions, READY)
    assert not is_true(conditions, "Unknown")
    assert (find(conditions, READY) or {}).get("reason") == "WaitingForBooking"
    assert find(conditions, "Unknown") is None


def test_timestamps_are_utc_to_the_second() -> None:
    india = timezone(timedelta(hours=5, minutes=30))
    assert timestamp(datetime(2026, 11, 24, 23, 30, 15, 999999, tzinfo=india)) == "2026-11-24T18:00:15Z"
