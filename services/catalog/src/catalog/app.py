"""The catalog process: movies, theatres, halls, seat layouts and shows, published to booking."""

from litestar import Litestar
from piccolo.engine.postgres import PostgresEngine

from catalog.api.controllers import CONTROLLERS
from catalog.service.context import CatalogContext
from catalog.settings import Settings
from catalog.store.halls import HallStore
from catalog.store.layouts import LayoutStore
from catalog.store.movies import MovieStore
from catalog.store.piccolo_app import MIGRATED_APPS
from catalog.store.shows import ShowStore
from catalog.store.tables import TABLES
from catalog.store.theatres import TheatreStore
from tickethub.auth import BearerAuth
from tickethub.contracts import published_by
from tickethub.db import TRANSIENT_ERRORS, UnitOfWork, bind_tables, database_lifespan, make_engine, ping
from tickethub.messaging import broker_lifespan, create_broker
from tickethub.outbox import OutboxMessage, OutboxRelay, relay_lifespan
from tickethub.telemetry import configure_telemetry
from tickethub.web.app import create_service_app

DESCRIPTION = """\
Movies, theatres, halls with seat layouts, and shows with a price per seat category.

Reads are public. Writes need a bearer token of an ADMIN; a SERVICE token (the Kubernetes operator's)
may also upsert (`PUT /shows/{showId}`) and cancel shows. Every change of a show is published as a
`ShowPublished` event (topic `catalog.show-published.v1`, key = show id) from which the booking
service builds its read model; a cancellation is also published as `ShowCancelled` (topic
`catalog.show-cancelled.v1`), which starts the cancellation saga. Errors are `application/problem+json`.
"""


def create_context(engine: PostgresEngine) -> CatalogContext:
    """No settings: no use case reads one, and the demo catalog command has only a database."""
    return CatalogContext(
        uow=UnitOfWork(engine),
        movies=MovieStore(),
        theatres=TheatreStore(),
        halls=HallStore(),
        layouts=LayoutStore(),
        shows=ShowStore(),
    )


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings()  # fields come from the environment
    engine = make_engine(settings.database_url)
    bind_tables(engine, [*TABLES, OutboxMessage])
    broker = create_broker(settings, configure_telemetry(settings))
    relay = OutboxRelay(engine, broker, poll_seconds=settings.outbox_poll_seconds)
    auth = BearerAuth.from_settings(settings)
    return create_service_app(
        service="catalog",
        settings=settings,
        route_handlers=CONTROLLERS,
        description=DESCRIPTION,
        context=create_context(engine),
        lifespan=[
            auth.lifespan,
            database_lifespan(engine, settings, migrated_apps=MIGRATED_APPS),
            broker_lifespan(broker, settings, published_by("catalog")),
            relay_lifespan(relay),
        ],
        unavailable=TRANSIENT_ERRORS,  # PostgreSQL away: 503, nothing changed
        readiness={"postgres": lambda: ping(engine)},
        middleware=[auth.middleware],
    )
