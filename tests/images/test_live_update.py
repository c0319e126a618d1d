"""Tilt's live update works with the images the Tiltfile builds, and only with those.

The users image is built with the Tiltfile's build arguments and runs with the environment the
Tiltfile's rendered chart gives the users container (uvicorn's reloader on). Tilt applies a sync by
streaming a tar archive into the running container (`tar -C / -x -f -` through exec, as the
container's user); the test does the same with a changed copy of the web library's health module,
whose /livez every service serves, and waits for the reloaded app to answer with the change.
"""

import io
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tickethub.stack import images, probes
from tickethub.stack.images import Docker, DockerError
from tickethub.stack.ports import LOOPBACK
from tickethub.stack.routes import repo_root
from tickethub.testing.tiltfile import Tiltfile, load_tiltfile

pytestmark = pytest.mark.integration

SERVICE = "users"
WEB_LIBRARY = "libs/web/src/tickethub/web"
HEALTH_MODULE = "health.py"
LIVEZ_RETURN = 'return {"status": "ok"}'
LIVE_UPDATED_STATUS = "live-updated"
# What Tilt runs in the container to apply a sync's archive.
TILT_EXTRACT = ("tar", "-C", "/", "-x", "-f", "-")
# The settings of uvicorn's reloader, as the chart renders them with the Tiltfile's values.
RELOAD_SETTINGS = ("UVICORN_RELOAD", "UVICORN_RELOAD_DIRS")


@pytest.fixture(scope="module")
def tiltfile() -> Tiltfile:
    return load_tiltfile(repo_root() / "Tiltfile")


@pytest.fixture(scope="module")
def tilt_build(tiltfile: Tiltfile) -> dict[str, Any]:
    [build] = [call for call in tiltfile["docker_build"] if call["ref"] == images.IMAGE_PREFIX + SERVICE]
    return build


@pytest.fixture(scope="module")
def live_update_image(
    docker: Docker,
    built: dict[str, str],
    tilt_build: dict[str, Any],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """The image as the Tiltfile builds it, beside the production one of the same version (every layer
    but the environment's comes from the cache)."""
    version = built[SERVICE].rsplit(":", 1)[1]
    tag = images.image_name(SERVICE, f"live-update-{version}")
    log = tmp_path_factory.mktemp("live-update") / "build.log"
    docker.build(
        SERVICE, tag, version=version, root=repo_root(), log=log, build_args=tilt_build["build_args"]
    )
    yield tag
    docker("image", "rm", tag)


@pytest.fixture(scope="module")
def environment(
    built: dict[str, str], service_environment: Callable[[str, str], dict[str, str]]
) -> dict[str, str]:
    return service_environment(SERVICE, built[SERVICE])


@pytest.fixture
def synced_change(tilt_build: dict[str, Any], tmp_path: Path) -> bytes:
    """The archive Tilt streams into the container after an edit to /livez's answer."""
    [sync] = [step for step in tilt_build["live_update"] if step.get("local_path") == WEB_LIBRARY]
    original = (repo_root() / WEB_LIBRARY / HEALTH_MODULE).read_text()
    edited = original.replace(LIVEZ_RETURN, f'return {{"status": "{LIVE_UPDATED_STATUS}"}}')
    assert edited != original
    edited_copy = tmp_path / HEALTH_MODULE
    edited_copy.write_text(edited)
    return tilt_archive(edited_copy, f"{sync['remote_path']}/{HEALTH_MODULE}")


def test_a_synced_library_change_reloads_the_running_service(
    docker: Docker,
    live_update_image: str,
    tiltfile: Tiltfile,
    environment: dict[str, str],
    synced_change: bytes,
) -> None:
    base_url = f"http://{LOOPBACK}:{environment['UVICORN_PORT']}"
    with images.serving(
        docker,
        live_update_image,
        f"{base_url}/readyz",
        environment=environment | reload_settings(tiltfile),
        read_only_root=live_update_container(tiltfile)["securityContext"]["readOnlyRootFilesystem"],
    ) as container:
        assert livez_status(base_url) == "ok"

        docker("exec", "--interactive", container, *TILT_EXTRACT, stdin=synced_change)

        images.wait_for(
            docker, container, lambda: livez_status(base_url) == LIVE_UPDATED_STATUS, "the edited /livez"
        )
        images.wait_for(docker, container, lambda: probes.http_ok(f"{base_url}/readyz"), "ready again")
        assert "WatchFiles detected changes in" in docker.logs(container, lines=1000)


def test_the_production_image_refuses_the_sync(
    docker: Docker, built: dict[str, str], environment: dict[str, str], synced_change: bytes
) -> None:
    readyz = f"http://{LOOPBACK}:{environment['UVICORN_PORT']}/readyz"
    with (
        images.serving(docker, built[SERVICE], readyz, environment=environment) as container,
        # GNU tar may not replace a file in a directory it does not own (unlinking it fails first).
        pytest.raises(DockerError, match=f"{HEALTH_MODULE}: Cannot open"),
    ):
        docker("exec", "--interactive", container, *TILT_EXTRACT, stdin=synced_change)


def live_update_container(tiltfile: Tiltfile) -> dict[str, Any]:
    """The service's container as the Tiltfile's rendered chart runs it."""
    [deployment] = [
        manifest
        for manifest in tiltfile.workloads()
        if manifest["kind"] == "Deployment" and manifest["metadata"]["name"] == f"tickethub-{SERVICE}"
    ]
    [container] = [c for c in deployment["spec"]["template"]["spec"]["containers"] if c["name"] == SERVICE]
    return dict(container)


def reload_settings(tiltfile: Tiltfile) -> dict[str, str]:
    values = {variable["name"]: variable.get("value") for variable in live_update_container(tiltfile)["env"]}
    return {name: values[name] for name in RELOAD_SETTINGS}


def tilt_archive(local_file: Path, remote_path: str) -> bytes:
    """One file as Tilt archives a sync: named by its path in the container (relative to /), owner
    cleared, the local file's mode and modification time."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        entry = archive.gettarinfo(local_file, arcname=remote_path.lstrip("/"))
        entry.uid = entry.gid = 0
        entry.uname = entry.gname = ""
        with local_file.open("rb") as content:
            archive.addfile(entry, content)
    return buffer.getvalue()


def livez_status(base_url: str) -> str | None:
    """The status /livez answers, or None while the app is not serving (the reloader restarts it)."""
    try:
        response = httpx.get(f"{base_url}/livez", timeout=1.0)
    except httpx.HTTPError:
        return None
    status: str | None = response.json().get("status") if response.status_code == 200 else None
    return status
