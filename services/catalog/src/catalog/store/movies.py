"""Movies: what a show plays."""

from typing import Any
from uuid import UUID

from catalog.domain.model import Movie, Page
from catalog.store.tables import Movie as MovieTable


def _movie(row: dict[str, Any]) -> Movie:
    return Movie(
        id=str(row["id"]),
        title=row["title"],
        duration_minutes=row["duration_minutes"],
        language=row["language"],
        genre=row["genre"],
        description=row["description"],
    )


class MovieStore:
    async def add(self, movie: Movie) -> None:
        await MovieTable.raw(
            """
            INSERT INTO movies (id, title, duration_minutes, language, genre, description)
            VALUES ({}, {}, {}, {}, {}, {})
            """,
            UUID(movie.id),
            movie.title,
            movie.duration_minutes,
            movie.language,
            movie.genre,
            movie.description,
        )

    async def get(self, movie_id: UUID) -> Movie | None:
        row = await MovieTable.select().where(MovieTable.id == movie_id).first()
        return _movie(row) if row else None

    async def page(self, *, limit: int, offset: int) -> Page[Movie]:
        rows = await (
            MovieTable.select().order_by(MovieTable.created_at, MovieTable.id).limit(limit).offset(offset)
        )
        total = await MovieTable.count()
        return Page([_movie(row) for row in rows], total=total, limit=limit, offset=offset)
