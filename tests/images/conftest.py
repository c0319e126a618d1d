"""The container images, built once per run the way `make images` builds them.

Without a Docker daemon of the user's that means a private dockerd and a base image made from Debian
packages (tickethub.stack.images); the first run builds everything, and its progress lines are shown
even while pytest captures output.
"""

from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack

import pytest

from tickethub.stack import images
from tickethub.stack.images import Docker


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


def _uncaptured(pytestconfig: pytest.Config) -> AbstractContextManager[None]:
    capture = pytestconfig.pluginmanager.getplugin("capturemanager")
    context: AbstractContextManager[None] = capture.global_and_fixture_disabled()
    return context
