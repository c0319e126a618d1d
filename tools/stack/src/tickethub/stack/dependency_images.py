"""Images of the chart's development dependencies, for a cluster that cannot pull public images.

charts/tickethub runs PostgreSQL, Redis, Kafka, Jaeger and Mailpit from public images by default
(postgres, redis, apache/kafka, jaegertracing/jaeger, axllent/mailpit), and those stay the defaults.
Where no registry answers, `make images ARGS=--dependencies` (`build_dependency_images`) builds
stand-ins from the recipes in k8s/cluster/images/<name>/, which keep the part of each public image's
contract the chart relies on; charts/tickethub/ci/cluster-values.yaml selects them.

Each image is the TicketHub base image (the Dockerfile's BASE_IMAGE, made from Debian packages for a
private daemon) plus Debian packages and/or what `make install` already keeps in the cache: Kafka's
jars, the Mailpit and Jaeger binaries are copied (hard-linked where possible) into a build context
assembled here, so nothing is downloaded twice.

Each is tagged twice: tickethub-dev/<name>:<version>, the name the values file uses, and
tickethub-dev/<name>:<version>-<fingerprint>, which changes whenever the recipe, the cached
artefacts, the build arguments or the base image do (to roll pods onto a new build). An image whose
fingerprint tag the daemon already has is not built again.

    with docker_engine() as docker:
        for image in build_dependency_images(docker):
            docker("save", f"--output={image.name}.tar", image.tag)
"""

import fcntl
import hashlib
import os
import shutil
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tickethub.stack import install
from tickethub.stack.images import Docker, DockerError, base_image_name, forget_images
from tickethub.stack.install import progress
from tickethub.stack.paths import cache_dir, state_dir
from tickethub.stack.routes import repo_root

IMAGE_PREFIX = "tickethub-dev/"
# Debian bookworm's PostgreSQL and Redis (the chart's public defaults are PostgreSQL 17 and Redis 7.4;
# the services need neither's newer features, and the local stack runs the same Debian servers).
POSTGRESQL_MAJOR = "15"
REDIS_VERSION = "7.0"
_FINGERPRINT_LENGTH = 12


@dataclass(frozen=True)
class Dependency:
    """One recipe of k8s/cluster/images/: the chart's values key it stands in for and its version."""

    name: str
    version: str
    # What the build context holds beside the recipe: a path in the context -> a file or directory of
    # the cache (each installer returns at once when its artefact is there, and installs it otherwise).
    artefacts: Callable[[], Mapping[str, Path]] = dict
    build_args: Mapping[str, str] = field(default_factory=dict)

    @property
    def recipe(self) -> Path:
        return repo_root() / "k8s" / "cluster" / "images" / self.name

    @property
    def tag(self) -> str:
        """The name ci/cluster-values.yaml gives the chart."""
        return f"{IMAGE_PREFIX}{self.name}:{self.version}"


DEPENDENCIES = (
    Dependency("postgresql", POSTGRESQL_MAJOR, build_args={"PG_MAJOR": POSTGRESQL_MAJOR}),
    Dependency("redis", REDIS_VERSION),
    Dependency("kafka", install.KAFKA_VERSION, lambda: {"libs": install.ensure_kafka().libs_dir}),
    Dependency(
        "jaeger", install.JAEGER_VERSION.removeprefix("v"), lambda: {"jaeger": install.ensure_jaeger()}
    ),
    Dependency("mailpit", install.MAILPIT_VERSION, lambda: {"mailpit": install.ensure_mailcatcher()}),
)
NAMES = tuple(dependency.name for dependency in DEPENDENCIES)


@dataclass(frozen=True)
class DependencyImage:
    name: str
    tag: str
    # tickethub-dev/<name>:<version>-<fingerprint>: another build, another name.
    unique_tag: str
    size_bytes: int
    seconds: float
    # False when the daemon had an image of this fingerprint already.
    built: bool


def dependency_named(name: str) -> Dependency:
    [found] = [candidate for candidate in DEPENDENCIES if candidate.name == name]
    return found


def build_dependency_images(docker: Docker, names: Sequence[str] = NAMES) -> list[DependencyImage]:
    """Build (or find) the image of each dependency in turn; a private daemon then forgets their other
    builds."""
    images = [_build(docker, dependency_named(name)) for name in names]
    if docker.private:
        for image in images:
            kept = {image.tag, image.unique_tag}
            forget_images(docker, f"{IMAGE_PREFIX}{image.name}", keep=kept.__contains__)
    return images


def _build(docker: Docker, dependency: Dependency) -> DependencyImage:
    component = f"image {dependency.name}"
    started = time.monotonic()
    base = base_image_name()
    home = cache_dir() / "images" / "dependencies" / dependency.name
    with _exclusive(home):
        context = _assemble_context(dependency, home / "context")
        present = docker.image(base)
        fingerprint = _fingerprint(context, {**dependency.build_args, base: present["Id"] if present else ""})
        unique_tag = f"{dependency.tag}-{fingerprint[:_FINGERPRINT_LENGTH]}"
        built = docker.image(unique_tag) is None
        if built:
            progress(component, f"building {dependency.tag}...")
            docker.build_context(
                component,
                context,
                [dependency.tag, unique_tag],
                log=state_dir() / "docker" / "builds" / f"{dependency.name}.log",
                build_args={"BASE_IMAGE": base, **dependency.build_args},
            )
        else:
            docker("image", "tag", unique_tag, dependency.tag)
    image = docker.image(dependency.tag)
    if image is None:
        raise DockerError(f"{dependency.tag} is missing right after its build")
    result = DependencyImage(
        dependency.name,
        dependency.tag,
        unique_tag,
        int(image["Size"]),
        time.monotonic() - started,
        built,
    )
    verb = "built" if built else "present"
    progress(component, f"{result.tag}: {result.size_bytes / 1e6:.0f} MB, {verb} in {result.seconds:.0f} s")
    return result


def _assemble_context(dependency: Dependency, context: Path) -> Path:
    """The recipe's files and the cached artefacts, in a directory of their own."""
    shutil.rmtree(context, ignore_errors=True)
    shutil.copytree(dependency.recipe, context)
    for name, artefact in dependency.artefacts().items():
        target = context / name
        if artefact.is_dir():
            shutil.copytree(artefact, target, copy_function=_link_or_copy)
        else:
            _link_or_copy(artefact, target)
    return context


def _link_or_copy(source: str | Path, target: str | Path) -> None:
    """A hard link: the cache and the context share a file system, and a copy would double the disk
    use; a copy where they do not."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _fingerprint(context: Path, extra: Mapping[str, str]) -> str:
    """A digest of every file of the build context (its path, whether it is executable, its bytes)
    and of `extra`."""
    digest = hashlib.sha256()
    for path in sorted(p for p in context.rglob("*") if p.is_file()):
        digest.update(f"{path.relative_to(context)} {os.access(path, os.X_OK)}\n".encode())
        with path.open("rb") as file:
            digest.update(hashlib.file_digest(file, "sha256").digest())
    for key, value in sorted(extra.items()):
        digest.update(f"{key}={value}\n".encode())
    return digest.hexdigest()


@contextmanager
def _exclusive(home: Path) -> Iterator[None]:
    """One build of a dependency at a time: another process may be assembling the same context."""
    home.mkdir(parents=True, exist_ok=True)
    with (home.parent / f".{home.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
