"""Container images of the services and the show operator, built from the root Dockerfile.

`make images` (`python -m tickethub.stack.images`) builds `tickethub/<component>:<version>` for every
workspace package that ships as an image. When a Docker daemon of the user's answers, that is a plain
`docker build` with their own client and settings. When none does (CI machines, where nothing can be
pulled from a registry), it brings its own:

- Debian's docker.io and debootstrap are installed when missing, and `dockerd` runs as a process of
  ours: images under the cache directory, socket and runtime state under the state directory, no
  bridge and no iptables rules. Every call reaches it through DOCKER_HOST, so a daemon of the user's
  is never touched.
- The Dockerfile's base image is made from Debian packages (debootstrap, bookworm with Python 3.11)
  and imported under the very name the Dockerfile's BASE_IMAGE defaults to, once: a fingerprint of
  the recipe says when it must be made again.
- Builds and containers use the host's network (the daemon has no bridge).

`serving` starts a container of an image, waits until its health endpoint answers and removes it on
exit; `wait_for` polls anything else of a running container.
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tickethub.stack import probes
from tickethub.stack.install import InstallError, apt_install, find_command, install_lock, progress, run_step
from tickethub.stack.paths import cache_dir, state_dir
from tickethub.stack.processes import Server, ServerError
from tickethub.stack.routes import repo_root
from tickethub.stack.topology import chart_services

# Every workspace package that ships as an image, by its directory name (the Dockerfile's PACKAGE):
# each service of the chart, and the operator.
PACKAGES = (*chart_services(), "operator")
# Repository = prefix + package, as the chart's image.repositoryPrefix default names them.
IMAGE_PREFIX = "tickethub/"
_FALLBACK_VERSION = "dev"

_DEBIAN_SUITE = "bookworm"
_DEBIAN_MIRROR = "http://deb.debian.org/debian"
# python3.11-venv brings ensurepip (the build stage makes a venv with pip to install uv); it depends on
# python3.11-distutils, a name only python3-distutils provides, which debootstrap cannot resolve itself.
_BASE_PACKAGES = ("python3.11", "python3.11-venv", "python3-distutils", "ca-certificates")
# What a slim image leaves out: package caches and lists, documentation and translations.
_TRIMMED = (
    "var/cache/apt/archives",
    "var/lib/apt/lists",
    "usr/share/doc",
    "usr/share/man",
    "usr/share/info",
    "usr/share/locale",
)
# Certificate authorities this machine trusts beyond Debian's (a TLS-inspecting proxy's, say): the
# builds inside the base image fetch from PyPI through the same network, so they must trust them too.
_LOCAL_AUTHORITIES = Path("/usr/local/share/ca-certificates")
_SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
_BASE_ENVIRONMENT = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "LANG": "C.UTF-8",
    # pip and uv verify TLS against bundles of their own unless told to use the system's.
    "SSL_CERT_FILE": _SYSTEM_BUNDLE,
    "PIP_CERT": _SYSTEM_BUNDLE,
}
_BASE_FINGERPRINT_LABEL = "io.tickethub.base-image.fingerprint"
_BASE_IMAGE_ARG = re.compile(r"^ARG BASE_IMAGE=(\S+)\s*$", re.MULTILINE)

# Debian's client, of the same release as its daemon (a newer client may want a buildx plugin).
_DEBIAN_DOCKER_CLIENT = Path("/usr/bin/docker")
# Variables that would point a docker client at another daemon than DOCKER_HOST; empty means unset.
_CLIENT_OVERRIDES = ("DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH")
# BuildKit's cache (layers, uv's downloads) is collected beyond this size, oldest first.
_DAEMON_CONFIG = {"builder": {"gc": {"enabled": True, "defaultKeepStorage": "4GB"}}}
_DAEMON_CHECK_SECONDS = 10.0
_CLIENT_TIMEOUT_SECONDS = 300.0
_BUILD_STEP = re.compile(r"^#\d+ \[([\w-]+) +(\d+)/(\d+)\] (.*)$", re.MULTILINE)


class DockerError(RuntimeError):
    """A docker command failed; the message has its error output."""


@dataclass(frozen=True)
class Docker:
    """A docker client and the daemon it talks to."""

    client: Path
    environment: Mapping[str, str]
    # Ours rather than the user's: it has no bridge network (builds use the host's), and it keeps only
    # the images of the latest build.
    private: bool

    def __call__(
        self,
        *args: str,
        timeout: float = _CLIENT_TIMEOUT_SECONDS,
        variables: Mapping[str, str] | None = None,
        stdin: bytes = b"",
    ) -> str:
        """Run one docker command and return its output; `variables` are added to the client's environment,
        `stdin` is its input (`docker exec -i` hands it on)."""
        result = subprocess.run(
            [str(self.client), *args],
            env={**os.environ, **self.environment, **(variables or {})},
            input=stdin,
            capture_output=True,
            check=False,
            timeout=timeout,
        )
        if result.returncode != 0:
            error = result.stderr.decode(errors="replace").strip()[-2000:]
            raise DockerError(f"`docker {' '.join(args[:2])} ...` failed: {error}")
        return result.stdout.decode()

    def image(self, name: str) -> dict[str, Any] | None:
        """`docker image inspect` of `name`, or None when the daemon has no such image."""
        try:
            found: list[dict[str, Any]] = json.loads(self("image", "inspect", name))
        except DockerError:
            return None
        return found[0]

    def logs(self, container: str, lines: int = 40) -> str:
        """The last lines a container wrote, standard output and error interleaved."""
        result = subprocess.run(
            [str(self.client), "logs", f"--tail={lines}", container],
            env={**os.environ, **self.environment},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
            timeout=_CLIENT_TIMEOUT_SECONDS,
        )
        return result.stdout.strip()

    def build(
        self,
        package: str,
        tag: str,
        *,
        version: str,
        root: Path,
        log: Path,
        build_args: Mapping[str, str] | None = None,
    ) -> None:
        """Build the Dockerfile of `root` for `package`, with progress lines, its output in `log`;
        `build_args` are the Dockerfile's other arguments (ENVIRONMENT_OWNER, say)."""
        arguments = {"PACKAGE": package, "VERSION": version, **(build_args or {})}
        self.build_context(f"image {package}", root, [tag], log=log, build_args=arguments)

    def build_context(
        self,
        component: str,
        context: Path,
        tags: Sequence[str],
        *,
        log: Path,
        build_args: Mapping[str, str] | None = None,
    ) -> None:
        """Build the Dockerfile of the directory `context` under every name of `tags`, with progress
        lines for `component`, its output in `log`."""
        run_step(
            component,
            [
                str(self.client),
                "build",
                "--progress=plain",
                *(f"--build-arg={name}={value}" for name, value in (build_args or {}).items()),
                *(f"--tag={tag}" for tag in tags),
                *(["--network=host"] if self.private else []),
                f"--file={context / 'Dockerfile'}",
                str(context),
            ],
            log=log,
            cwd=context,
            env=self.environment,
            report=_build_step,
        )

    def run(
        self,
        image: str,
        *command: str,
        environment: Mapping[str, str] | None = None,
        user: str | None = None,
    ) -> str:
        """Run `command` in a throwaway container of `image` (as `user`, else the image's) and return
        its output."""
        environment = environment or {}
        options = [*_container_options(environment, {}), *([f"--user={user}"] if user else [])]
        return self("run", "--rm", *options, image, *command, variables=environment)

    def start(
        self,
        image: str,
        *command: str,
        environment: Mapping[str, str] | None = None,
        files: Mapping[Path, str] | None = None,
        read_only_root: bool = True,
    ) -> str:
        """Start a detached container and return its id; `files` maps host files to read-only paths.

        By default it runs as the chart runs it: a read-only root with a writable /tmp.
        """
        environment = environment or {}
        options = _container_options(environment, files or {})
        if read_only_root:
            options += ["--read-only", "--tmpfs=/tmp"]
        return self("run", "--detach", *options, image, *command, variables=environment).strip()


def _container_options(environment: Mapping[str, str], files: Mapping[Path, str]) -> list[str]:
    """Containers share the host's network (Linux daemons): they reach servers on loopback and answer
    there. Each variable is named only, its value comes from the client's environment (never argv)."""
    variables = [f"--env={name}" for name in environment]
    mounts = [f"--volume={host}:{path}:ro" for host, path in files.items()]
    return ["--network=host", *variables, *mounts]


class DockerDaemon(Server):
    """Debian's dockerd as a process of ours, beside any daemon of the user's.

    No bridge and no iptables rules: nothing of the host's network configuration changes, and
    containers use the host's network. Its containerd is its own too (under the exec root).
    """

    name = "dockerd"

    def __init__(self, data_dir: Path, data_root: Path) -> None:
        super().__init__(data_dir)
        self.data_root = data_root

    @property
    def socket(self) -> Path:
        return self.data_dir / "docker.sock"

    @property
    def ports(self) -> Sequence[int]:
        return []

    def client(self) -> Docker:
        return Docker(
            client=_DEBIAN_DOCKER_CLIENT,
            environment={
                "DOCKER_HOST": f"unix://{self.socket}",
                "DOCKER_BUILDKIT": "1",
                # The user's client configuration (credential helpers, contexts) stays out of it.
                "DOCKER_CONFIG": str(self.data_dir / "client"),
                **dict.fromkeys(_CLIENT_OVERRIDES, ""),
            },
            private=True,
        )

    @property
    def exec_root(self) -> Path:
        return self.data_dir / "exec"

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the daemon and undo the mounts it leaves behind (its network namespace's), so that its
        state directory can be deleted."""
        super().stop(timeout)
        mount_points = [line.split()[1] for line in Path("/proc/self/mounts").read_text().splitlines()]
        leftovers = [point for point in mount_points if point.startswith(f"{self.exec_root}/")]
        for mount_point in sorted(leftovers, reverse=True):
            subprocess.run(["umount", mount_point], check=False, capture_output=True, timeout=30)  # noqa: S607

    @property
    def config_file(self) -> Path:
        return self.data_dir / "daemon.json"

    def _prepare(self) -> None:
        self.data_root.mkdir(parents=True, exist_ok=True)
        # A file of our own: dockerd would otherwise read the machine's /etc/docker/daemon.json.
        self.config_file.write_text(json.dumps(_DAEMON_CONFIG, indent=2) + "\n")

    def _command(self) -> list[str]:
        return [
            str(find_command("dockerd") or "dockerd"),
            f"--config-file={self.config_file}",
            f"--data-root={self.data_root}",
            f"--exec-root={self.exec_root}",
            f"--pidfile={self.exec_root / 'dockerd.pid'}",
            f"--host=unix://{self.socket}",
            "--bridge=none",
            "--iptables=false",
            "--ip6tables=false",
        ]

    def _is_ready(self) -> bool:
        return probes.docker_ping(self.socket)


@contextmanager
def docker_engine() -> Iterator[Docker]:
    """The user's Docker daemon when it answers; otherwise a private one that can build the Dockerfile.

    A private daemon started here is stopped again on exit; one that already ran is left running.
    """
    user_docker = _user_docker()
    if user_docker is not None:
        progress("docker", "using the Docker daemon of this user")
        yield user_docker
        return
    if os.geteuid() != 0:
        raise InstallError("no Docker daemon answers: start Docker, or run as root to use a private one")
    ensure_docker_packages()
    daemon = DockerDaemon(state_dir() / "docker", cache_dir() / "docker" / "data-root")
    started_here = not daemon.is_running()
    if started_here:
        progress("docker", f"starting a private dockerd (socket {daemon.socket})...")
        daemon.start()
    try:
        daemon.wait_ready(timeout=60)
        docker = daemon.client()
        ensure_base_image(docker)
        yield docker
    finally:
        if started_here:
            daemon.stop()


def ensure_docker_packages() -> None:
    """Install what a private daemon needs when it is missing: Debian's dockerd and client, and
    debootstrap for the base image."""
    apt_install("docker", _missing_tools())


def _user_docker() -> Docker | None:
    client = shutil.which("docker")
    if client is None:
        return None
    docker = Docker(client=Path(client), environment={"DOCKER_BUILDKIT": "1"}, private=False)
    try:
        docker("version", "--format={{.Server.Version}}", timeout=_DAEMON_CHECK_SECONDS)
    except (DockerError, subprocess.TimeoutExpired):
        return None
    return docker


def _missing_tools() -> list[str]:
    wanted = {"dockerd": "docker.io", "debootstrap": "debootstrap"}
    missing = [package for command, package in wanted.items() if find_command(command) is None]
    if not _DEBIAN_DOCKER_CLIENT.exists() and "docker.io" not in missing:
        missing.append("docker.io")
    return missing


def base_image_name(root: Path | None = None) -> str:
    """The base image the Dockerfile names by default (its BASE_IMAGE argument)."""
    dockerfile = (root or repo_root()) / "Dockerfile"
    match = _BASE_IMAGE_ARG.search(dockerfile.read_text())
    if match is None:
        raise InstallError(f"{dockerfile} has no `ARG BASE_IMAGE=<image>` line")
    return match.group(1)


def ensure_base_image(docker: Docker, root: Path | None = None) -> str:
    """Import the Debian-built base under the Dockerfile's base image name, unless the daemon has that
    image already: the one imported last time with the same recipe, or one that is not ours at all."""
    name = base_image_name(root)
    recipe = _base_recipe()
    fingerprint = hashlib.sha256(recipe.encode()).hexdigest()
    present = docker.image(name)
    if present is not None:
        imported = (present["Config"]["Labels"] or {}).get(_BASE_FINGERPRINT_LABEL)
        if imported in (None, fingerprint):
            progress("base image", f"{name} present")
            return name
    tarball = _base_root_filesystem(recipe)
    progress("base image", f"importing {name}...")
    changes = [
        *(f"ENV {variable}={value}" for variable, value in _BASE_ENVIRONMENT.items()),
        f"LABEL {_BASE_FINGERPRINT_LABEL}={fingerprint}",
        'CMD ["python3"]',
    ]
    docker("image", "import", *(f"--change={change}" for change in changes), str(tarball), name)
    progress("base image", f"{name} imported")
    return name


def _base_recipe() -> str:
    return "\n".join(
        [_DEBIAN_SUITE, _DEBIAN_MIRROR, *_BASE_PACKAGES, *_TRIMMED, *_BASE_ENVIRONMENT, _local_authorities()]
    )


def _base_root_filesystem(recipe: str) -> Path:
    """The base image's root filesystem as a tarball, made once per recipe."""
    home = cache_dir() / "images" / f"debian-{_DEBIAN_SUITE}"
    tarball = home / "rootfs.tar"
    with install_lock(home, "base image", fingerprint=recipe) as needed:
        if needed:
            log = home / "install.log"
            rootfs = home / "rootfs"
            shutil.rmtree(rootfs, ignore_errors=True)
            progress("base image", f"debootstrap {_DEBIAN_SUITE} with {', '.join(_BASE_PACKAGES)}...")
            run_step(
                "base image",
                [
                    str(find_command("debootstrap") or "debootstrap"),
                    "--variant=minbase",
                    f"--include={','.join(_BASE_PACKAGES)}",
                    _DEBIAN_SUITE,
                    str(rootfs),
                    _DEBIAN_MIRROR,
                ],
                log=log,
                cwd=home,
                report=_debootstrap_step,
            )
            _trim(rootfs)
            _trust_local_authorities(rootfs, log)
            progress("base image", "packing the root filesystem...")
            run_step(
                "base image",
                ["tar", "--numeric-owner", "--xattrs", "-C", str(rootfs), "-cf", str(tarball), "."],
                log=log,
                cwd=home,
            )
            shutil.rmtree(rootfs)
    return tarball


def _trim(rootfs: Path) -> None:
    for directory in _TRIMMED:
        for entry in (rootfs / directory).iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()


def _local_authorities() -> str:
    """A digest of the machine's own certificate authorities (a new one makes a new base image)."""
    digest = hashlib.sha256()
    for certificate in sorted(_LOCAL_AUTHORITIES.rglob("*.crt")):
        digest.update(certificate.read_bytes())
    return digest.hexdigest()


def _trust_local_authorities(rootfs: Path, log: Path) -> None:
    certificates = sorted(_LOCAL_AUTHORITIES.rglob("*.crt"))
    if not certificates:
        return
    target = rootfs / _LOCAL_AUTHORITIES.relative_to("/")
    for certificate in certificates:
        destination = target / certificate.relative_to(_LOCAL_AUTHORITIES)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(certificate, destination)
    progress("base image", f"trusting {len(certificates)} certificate authorities of this machine")
    run_step("base image", ["chroot", str(rootfs), "update-ca-certificates"], log=log, cwd=rootfs)


def image_name(package: str, version: str) -> str:
    return f"{IMAGE_PREFIX}{package}:{version}"


def default_version(root: Path | None = None) -> str:
    """`git describe` of the checkout (tags, else the commit), else dev. With local changes it ends in
    `-dirty-<digest of the changes>`: each state of a working tree gets its own tag, so a cluster that
    runs the previous one rolls its Pods onto the new images."""
    git = shutil.which("git")
    if git is None:
        return _FALLBACK_VERSION
    root = root or repo_root()
    try:
        described = _git(git, root, "describe", "--tags", "--always", "--dirty")
        if described.endswith("-dirty"):
            changes = hashlib.sha256(_git(git, root, "diff", "HEAD", "--binary").encode())
            for untracked in sorted(
                _git(git, root, "ls-files", "--others", "--exclude-standard").splitlines()
            ):
                changes.update(untracked.encode() + (root / untracked).read_bytes())
            described += f"-{changes.hexdigest()[:8]}"
    except (OSError, subprocess.SubprocessError):
        return _FALLBACK_VERSION
    return described or _FALLBACK_VERSION


def _git(git: str, root: Path, *args: str) -> str:
    return subprocess.run(
        [git, *args], cwd=root, capture_output=True, text=True, check=True, timeout=30
    ).stdout.strip()


@dataclass(frozen=True)
class BuiltImage:
    package: str
    tag: str
    seconds: float
    size_bytes: int


def build_images(
    docker: Docker, packages: Sequence[str] = PACKAGES, *, version: str, root: Path | None = None
) -> list[BuiltImage]:
    """Build the image of each package in turn (a warm build reuses every unchanged layer)."""
    root = root or repo_root()
    logs = state_dir() / "docker" / "builds"
    built = []
    for package in packages:
        tag = image_name(package, version)
        progress(f"image {package}", f"building {tag}...")
        started = time.monotonic()
        docker.build(package, tag, version=version, root=root, log=logs / f"{package}.log")
        image = docker.image(tag)
        if image is None:
            raise DockerError(f"{tag} is missing right after its build")
        size = int(image["Size"])
        built.append(BuiltImage(package, tag, time.monotonic() - started, size))
        progress(f"image {package}", f"{tag}: {size / 1e6:.0f} MB in {built[-1].seconds:.0f} s")
    if docker.private:
        forget_images(docker, f"{IMAGE_PREFIX}*", keep=lambda tag: tag.endswith(f":{version}"))
    return built


def forget_images(docker: Docker, reference: str, *, keep: Callable[[str], bool]) -> None:
    """Remove the images named like `reference` (tickethub/*) whose tag `keep` refuses, and the layers
    only they used: the private daemon's data lives in the cache directory, which would otherwise grow
    by an image per change."""
    tags = docker("image", "ls", f"--filter=reference={reference}", "--format={{.Repository}}:{{.Tag}}")
    stale = [tag for tag in tags.split() if not keep(tag)]
    if stale:
        docker("image", "rm", *stale)
    docker("image", "prune", "--force")


@contextmanager
def serving(
    docker: Docker,
    image: str,
    url: str,
    *,
    environment: Mapping[str, str],
    files: Mapping[Path, str] | None = None,
    read_only_root: bool = True,
    timeout: float = 90.0,
) -> Iterator[str]:
    """A container of `image` (its id) once GET `url` answers 200; removed on exit.

    Fails with the container's log when it exits or the deadline passes first.
    """
    container = docker.start(image, environment=environment, files=files, read_only_root=read_only_root)
    try:
        wait_for(docker, container, lambda: probes.http_ok(url), f"200 on {url}", timeout=timeout)
        yield container
    finally:
        docker("container", "rm", "--force", container)


def wait_for(
    docker: Docker, container: str, condition: Callable[[], bool], what: str, *, timeout: float = 90.0
) -> None:
    """Poll `condition` until it holds; fails with the container's log when the container exits or the
    deadline passes first."""
    deadline = time.monotonic() + timeout
    while not condition():
        [details] = json.loads(docker("container", "inspect", container))
        state = details["State"]
        if not state["Running"] or time.monotonic() > deadline:
            problem = "did not answer" if state["Running"] else f"exited ({state['ExitCode']})"
            raise ServerError(f"{details['Config']['Image']} {problem} ({what}):\n{docker.logs(container)}")
        time.sleep(0.2)


def _build_step(output: str) -> str:
    steps = _BUILD_STEP.findall(output)
    if not steps:
        return "preparing the build"
    stage, step, total, instruction = steps[-1]
    return f"{stage} stage, step {step}/{total}: {instruction[:60]}"


def _debootstrap_step(output: str) -> str:
    steps = [line[3:] for line in output.splitlines() if line.startswith("I: ")]
    return steps[-1] if steps else "starting"


def main(argv: Sequence[str] | None = None) -> None:
    from tickethub.stack import dependency_images

    parser = argparse.ArgumentParser(
        prog="python -m tickethub.stack.images",
        description="Build the container images of the services and the show operator (`make images`).",
    )
    parser.add_argument(
        "packages",
        nargs="*",
        help=f"any of {', '.join(PACKAGES)}; with --dependencies any of "
        f"{', '.join(dependency_images.NAMES)} (default: all)",
    )
    parser.add_argument("--version", help="the images' tag (default: git describe, else dev)")
    parser.add_argument(
        "--dependencies",
        action="store_true",
        help="build the chart's development dependencies instead (PostgreSQL, Redis, Kafka, Jaeger, "
        f"Mailpit: {dependency_images.IMAGE_PREFIX}<name>:<version>, for a cluster that cannot pull "
        "their public images; charts/tickethub/ci/cluster-values.yaml selects them)",
    )
    args = parser.parse_args(argv)
    known = dependency_images.NAMES if args.dependencies else PACKAGES
    unknown = sorted(set(args.packages) - set(known))
    if unknown:
        parser.error(f"unknown package(s) {', '.join(unknown)}; choose from {', '.join(known)}")
    if args.dependencies and args.version:
        parser.error("--version names the TicketHub images' tag; the dependencies carry their own")
    with docker_engine() as docker:
        if args.dependencies:
            found = dependency_images.build_dependency_images(docker, args.packages or known)
            lines = [(image.tag, image.size_bytes, image.seconds, image.built) for image in found]
        else:
            built = build_images(docker, args.packages or known, version=args.version or default_version())
            lines = [(image.tag, image.size_bytes, image.seconds, True) for image in built]
    for tag, size, seconds, new in lines:
        print(f"  {tag:<40} {size / 1e6:>5.0f} MB  {'built' if new else 'present'} in {seconds:.0f} s")


if __name__ == "__main__":
    main()
