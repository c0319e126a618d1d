"""What catalog's use cases work with, built once by the app factory (or the demo catalog command)."""

from dataclasses import dataclass

from catalog.store.halls import HallStore
from catalog.store.layouts import LayoutStore
from catalog.store.movies import MovieStore
from catalog.store.shows import ShowStore
from catalog.store.theatres import TheatreStore
from tickethub.db import UnitOfWork
from tickethub.kernel import Clock, utc_now


@dataclass(frozen=True, slots=True)
class CatalogContext:
    uow: UnitOfWork
    movies: MovieStore
    theatres: TheatreStore
    halls: HallStore
    layouts: LayoutStore
    shows: ShowStore
    clock: Clock = utc_now
