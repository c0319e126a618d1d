"""The container images, built once per run the way `make images` builds them (and the development
dependencies' images the way `make images ARGS=--dependencies` does).

Without a Docker daemon of the user's that means a private dockerd and a base image made from Debian
packages (tickethub.stack.images); the first run builds everything, and its progress lines are shown
even while pytest captures output.
"""

import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack
from pathlib import Path

import pytest

from tickethub.stack import dependency_images, images
from tickethub.stack.dependency_images import DependencyImage
from tickethub.stack.images import Docker
from tickethub.stack.ports import LOOPBACK, free_port
from tickethub.stack.processes import Postgres
from tickethub.testing.infra import Infrastructure


@pytest.fixture(scope="session")
def docker(pytestconfig: pytest.Config) -> Iterator[Docker]:
    with ExitStack() as stack:
        with _uncaptured(pytestconfig):
            engine = stack.enter_context(images.docker_engine())
        yield engine


@pytest.fixture(scope="session")
def built(docker: Docker, pytestconfig: pytest.Config) -> dict[str, str]:
    """The tag of each package's image, built from the working tree."""
    with _uncaptured(pytestconfig):
        result = images.build_images(docker, version=images.default_version())
    return {image.package: image.tag for image in result}


@pytest.fixture(scope="session")
def built_dependencies(docker: Docker, pytestconfig: pytest.Config) -> dict[str, DependencyImage]:
    """Each development dependency's image, by its name in the chart's values."""
    with _uncaptured(pytestconfig):
        result = dependency_images.build_dependency_images(docker)
    return {image.name: image for image in result}


@pytest.fixture(scope="session")
def service_environment(
    docker: Docker, infra: Infrastructure, jwks_url: str
) -> Callable[[str, str], dict[str, str]]:
    """For a service and its image: a database of its own, migrated by the image (the command the
    chart's migrations Job runs), and the environment that points the service at it, the test Redis,
    Kafka and SMTP, on a free port of the host's network."""

    def prepare(service: str, image: str) -> dict[str, str]:
        database = f"image_{service}_{uuid.uuid4().hex[:8]}"
        Postgres(Path("."), infra.postgres_port).create_database(database)
        environment = {
            "DATABASE_URL": infra.postgres_url(database),
            "REDIS_URL": infra.redis_url,
            "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap_servers,
            "SMTP_HOST": infra.smtp_host,
            "SMTP_PORT": str(infra.smtp_port),
            "JWT_JWKS_URL": jwks_url,
            "UVICORN_HOST": LOOPBACK,
            "UVICORN_PORT": str(free_port()),
        }
        if service == "users":
            environment |= {
                "JWT_SIGNING_KEY": docker.run(image, "python", "-m", "users.adapters.signing_keys").strip(),
                "TICKETHUB_BOOTSTRAP_ADMIN_EMAIL": "admin@tickethub.test",
                "TICKETHUB_BOOTSTRAP_ADMIN_PASSWORD": "image check password",
            }
        migration = f"{service}.store.piccolo_conf"
        docker.run(image, "python", "-m", "tickethub.db.migrate", migration, environment=environment)
        return environment

    return prepare


def _uncaptured(pytestconfig: pytest.Config) -> AbstractContextManager[None]:
    capture = pytestconfig.pluginmanager.getplugin("capturemanager")
    context: AbstractContextManager[None] = capture.global_and_fixture_disabled()
    return context
