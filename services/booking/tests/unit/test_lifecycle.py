"""The booking state machine's table on its own: what it promises before any SQL is built from it."""

import itertools

from booking.domain.lifecycle import CONFIRM, EXPIRE, TRANSITIONS, BookingStatus, SeatStatus

ACTIVE = {SeatStatus.HELD, SeatStatus.SOLD}  # the seat rows the double-booking guard counts


def reachable_from_pending() -> set[BookingStatus]:
    reached, frontier = {BookingStatus.PENDING}, [BookingStatus.PENDING]
    while frontier:
        status = frontier.pop()
        for transition in TRANSITIONS:
            if status in transition.sources and transition.target not in reached:
                reached.add(transition.target)
                frontier.append(transition.target)
    return reached


def test_every_status_is_reached_from_pending_and_refunded_is_the_end() -> None:
    assert reachable_from_pending() == set(BookingStatus)
    assert not any(BookingStatus.REFUNDED in transition.sources for transition in TRANSITIONS)


def test_no_move_gives_a_seat_back_to_a_booking_that_let_it_go() -> None:
    for transition in TRANSITIONS:
        for before, after in transition.seats.items():
            assert before in ACTIVE, transition.name
            assert after in ACTIVE or after is SeatStatus.RELEASED, transition.name


def test_a_booking_keeps_active_seats_exactly_while_it_is_pending_or_confirmed() -> None:
    keeps_seats = {BookingStatus.PENDING, BookingStatus.CONFIRMED}
    for transition in TRANSITIONS:
        releases = set(transition.seats.values()) == {SeatStatus.RELEASED}
        assert releases == (transition.target not in keeps_seats and bool(transition.sources & keeps_seats))


def test_only_a_live_hold_confirms_and_only_a_run_out_one_expires() -> None:
    for hold_live, show_cancelled in itertools.product((True, False), (True, False)):
        confirms = CONFIRM.allows(BookingStatus.PENDING, hold_live=hold_live, show_cancelled=show_cancelled)
        expires = EXPIRE.allows(BookingStatus.PENDING, hold_live=hold_live, show_cancelled=show_cancelled)
        assert confirms == (hold_live and not show_cancelled)
        assert expires == (not hold_live)
