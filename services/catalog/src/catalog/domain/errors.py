"""Catalog failures in the domain's words; each becomes a precise problem+json response."""

from collections.abc import Sequence

from tickethub.web.problems import Conflict, InvalidRequest, NotFound


def field_error(field: str, message: str) -> dict[str, str]:
    """One entry of a problem's `errors`, shaped like the request-validation errors of every service."""
    return {"field": field, "in": "body", "message": message}


class UnknownMovie(NotFound):
    slug = "unknown-movie"
    title = "Unknown movie"

    def __init__(self, movie_id: str) -> None:
        super().__init__(f"There is no movie {movie_id}.", movieId=movie_id)


class UnknownTheatre(NotFound):
    slug = "unknown-theatre"
    title = "Unknown theatre"

    def __init__(self, theatre_id: str) -> None:
        super().__init__(f"There is no theatre {theatre_id}.", theatreId=theatre_id)


class UnknownHall(NotFound):
    slug = "unknown-hall"
    title = "Unknown hall"

    def __init__(self, hall_id: str) -> None:
        super().__init__(f"There is no hall {hall_id}.", hallId=hall_id)


class UnknownShow(NotFound):
    slug = "unknown-show"
    title = "Unknown show"

    def __init__(self, show_id: str) -> None:
        super().__init__(f"There is no show {show_id}.", showId=show_id)


class HallNameTaken(Conflict):
    slug = "hall-name-taken"
    title = "Hall name taken"

    def __init__(self, theatre_id: str, name: str) -> None:
        super().__init__(f"Theatre {theatre_id} already has a hall named {name!r}.", theatreId=theatre_id)


class HallHasNoLayout(Conflict):
    slug = "hall-has-no-layout"
    title = "Hall has no seat layout"

    def __init__(self, hall_id: str) -> None:
        super().__init__(
            f"Hall {hall_id} has no seats yet: PUT /halls/{hall_id}/seats first.", hallId=hall_id
        )


class LayoutInUse(Conflict):
    slug = "layout-in-use"
    title = "Seat layout in use"

    def __init__(self, hall_id: str, show_ids: Sequence[str]) -> None:
        super().__init__(
            f"Hall {hall_id} has scheduled shows that have not ended; its seats cannot change.",
            hallId=hall_id,
            showIds=list(show_ids),
        )


class ShowOverlaps(Conflict):
    slug = "show-overlaps"
    title = "Show overlaps another show"

    def __init__(self, hall_id: str, other_show_id: str | None) -> None:
        super().__init__(
            f"Hall {hall_id} is busy then (another show, or the cleaning gap after it).",
            hallId=hall_id,
            conflictingShowId=other_show_id,
        )


class ShowAlreadyStarted(Conflict):
    slug = "show-already-started"
    title = "Show already started"

    def __init__(self, show_id: str, *, refused: str = "cancelled") -> None:
        super().__init__(f"Show {show_id} has already started; it cannot be {refused}.", showId=show_id)


class ShowAlreadyCancelled(Conflict):
    slug = "show-already-cancelled"
    title = "Show already cancelled"

    def __init__(self, show_id: str) -> None:
        super().__init__(f"Show {show_id} is cancelled; it cannot change any more.", showId=show_id)


class ShowMovieOrHallChanged(Conflict):
    slug = "show-movie-or-hall-changed"
    title = "A show's movie and hall cannot change"

    def __init__(self, show_id: str, fields: Sequence[str]) -> None:
        super().__init__(
            f"Show {show_id} keeps its movie and hall for life; schedule another show instead.",
            showId=show_id,
            fields=list(fields),
        )


class InvalidLayout(InvalidRequest):
    slug = "invalid-layout"
    title = "Invalid seat layout"

    def __init__(self, errors: list[dict[str, str]]) -> None:
        fields = ", ".join(dict.fromkeys(error["field"] for error in errors))
        super().__init__(f"Invalid value for: {fields}.", errors=errors)


class InvalidPrices(InvalidRequest):
    slug = "invalid-prices"
    title = "Invalid prices"

    def __init__(
        self, errors: list[dict[str, str]], *, missing: Sequence[str] = (), unknown: Sequence[str] = ()
    ) -> None:
        fields = ", ".join(dict.fromkeys(error["field"] for error in errors))
        super().__init__(
            f"Invalid value for: {fields}.",
            errors=errors,
            missingCategories=list(missing),
            unknownCategories=list(unknown),
        )


class InvalidSchedule(InvalidRequest):
    slug = "invalid-schedule"
    title = "Invalid show time"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"Invalid value for: {field}. {message}", errors=[field_error(field, message)])
