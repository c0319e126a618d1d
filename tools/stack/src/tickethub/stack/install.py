"""Idempotent installers for the infrastructure binaries, cached outside the repository.

Every installer prints `[install] <name>: ...` progress lines, takes a per-component file lock (so
parallel test workers do not build twice), and records a fingerprint of what it built: a warm call
only reads that fingerprint and returns at once.
"""

import fcntl
import functools
import hashlib
import importlib.resources
import json
import os
import shutil
import stat
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tickethub.stack.paths import cache_dir

KAFKA_VERSION = "3.9.2"
# Kafka 3.9's own distribution logs through slf4j 1.7 + reload4j; the broker jars do not pull them in.
_KAFKA_LOGGING = (("org.slf4j", "slf4j-reload4j", "1.7.36"), ("ch.qos.reload4j", "reload4j", "1.2.25"))
_MAVEN_DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

# Zipkin's server with its Lens UI (waterfall, search by tag, dependency graph), one executable jar.
ZIPKIN_VERSION = "3.6.1"
_ZIPKIN_ARTIFACT = f"io.zipkin:zipkin-server:{ZIPKIN_VERSION}:jar:exec"

MAILPIT_VERSION = "v1.27.11"
_MAILPIT_MODULE = "github.com/axllent/mailpit"

JAEGER_VERSION = "v2.13.0"
# Jaeger tags v2 releases on its v1 Go module (no /v2 path): v1.76.0 is the v2.13.0 source.
_JAEGER_MODULE = "github.com/jaegertracing/jaeger"
_JAEGER_MODULE_VERSION = "v1.76.0"

KUBERNETES_VERSION = "v1.34.10"
# The wrapper module that pins the whole build (its go.mod names the same Kubernetes version).
_KUBERNETES_MODULE = importlib.resources.files("tickethub.stack") / "kubernetes"
_KUBERNETES_COMMANDS = (
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kubectl",
    "kubelet",
    "kube-proxy",
)
_ETCD_PACKAGE = "go.etcd.io/etcd/server/v3"
# Both packages carry the version that `kubectl version` and the API's /version report.
_KUBERNETES_VERSION_PACKAGES = ("k8s.io/component-base/version", "k8s.io/client-go/pkg/version")
# A fixed date keeps the binaries reproducible.
_KUBERNETES_BUILD_DATE = "1970-01-01T00:00:00Z"

# The newest Helm 3 (its go.mod asks for Go 1.26); the chart is written for Helm 3.
HELM_VERSION = "v3.22.0"
_HELM_MODULE = "helm.sh/helm/v3"
KUBECONFORM_VERSION = "v0.8.0"
_KUBECONFORM_MODULE = "github.com/yannh/kubeconform"
KWOK_VERSION = "v0.8.0"
_KWOK_MODULE = "sigs.k8s.io/kwok"
# kwok's own stage sets (shipped in its module): nodes become Ready at once and keep a lease, Pods run
# at once (a Job's Pods complete), and PersistentVolumeClaims of the `kwok-volume` class get a volume.
_KWOK_STAGES = (
    "kustomize/stage/node/fast/node-initialize.yaml",
    "kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
    "kustomize/stage/pod/fast/pod-ready.yaml",
    "kustomize/stage/pod/fast/pod-complete.yaml",
    "kustomize/stage/pod/fast/pod-delete.yaml",
    "kustomize/stage/volume/fast/pvc-provision.yaml",
    "kustomize/stage/volume/fast/pv-bind.yaml",
    "kustomize/stage/volume/fast/pvc-delete.yaml",
    "kustomize/stage/volume/fast/pv-delete.yaml",
)
# The StorageClass those volume stages serve (a cluster object, not a stage).
_KWOK_STORAGE_CLASS = "kustomize/stage/volume/fast/storage-class.yaml"
# kind's default node image at this release is Kubernetes v1.34.0 (our control plane's minor); k8s/kind
# pins that image.
PROMETHEUS_OPERATOR_VERSION = "v0.85.0"
_PROMETHEUS_OPERATOR_MODULE = "github.com/prometheus-operator/prometheus-operator"
_SERVICE_MONITOR_CRD = "example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml"
KIND_VERSION = "v0.30.0"
_KIND_MODULE = "sigs.k8s.io/kind"

# Debian package that provides each command, installed only when the command is missing.
_DEBIAN_PACKAGES = {
    "redis-server": "redis-server",
    "nginx": "nginx-light",
    "postgres": "postgresql-15",
    "java": "openjdk-17-jre-headless",
    "mvn": "maven",
    "npm": "npm",
}
# Debian puts server binaries in sbin or in versioned directories that are not on a user's PATH.
_EXTRA_BIN_DIRS = (Path("/usr/sbin"), Path("/sbin"), Path("/usr/local/go/bin"))
_HEARTBEAT_SECONDS = 30.0
_PROGRESS_SECONDS = 15.0
# -buildvcs=false: the cache may sit inside some git checkout, whose state must not leak into builds.
_GO_BUILD = ("build", "-trimpath", "-buildvcs=false")


class InstallError(RuntimeError):
    """An installer step failed; the message says which and where its log is."""


@dataclass(frozen=True)
class DebianBinaries:
    """Server binaries provided by Debian packages."""

    postgres_bin_dir: Path
    redis_server: Path
    nginx: Path


@dataclass(frozen=True)
class KafkaInstall:
    """A Kafka broker runtime: every jar `kafka.Kafka` and `kafka.tools.StorageTool` need."""

    version: str
    libs_dir: Path
    java: Path

    @property
    def classpath(self) -> str:
        return str(self.libs_dir / "*")


@dataclass(frozen=True)
class KubernetesInstall:
    """etcd, the Kubernetes control-plane binaries and a node's, all built from one pinned module graph."""

    version: str
    bin_dir: Path

    @property
    def etcd(self) -> Path:
        return self.bin_dir / "etcd"

    @property
    def kube_apiserver(self) -> Path:
        return self.bin_dir / "kube-apiserver"

    @property
    def kube_controller_manager(self) -> Path:
        return self.bin_dir / "kube-controller-manager"

    @property
    def kube_scheduler(self) -> Path:
        return self.bin_dir / "kube-scheduler"

    @property
    def kubectl(self) -> Path:
        return self.bin_dir / "kubectl"

    @property
    def kubelet(self) -> Path:
        return self.bin_dir / "kubelet"

    @property
    def kube_proxy(self) -> Path:
        return self.bin_dir / "kube-proxy"


@dataclass(frozen=True)
class KwokInstall:
    """kwok (it plays the kubelet of fake nodes) and the stage configurations it runs with."""

    version: str
    home: Path

    @property
    def binary(self) -> Path:
        return self.home / "bin" / "kwok"

    @property
    def stage_files(self) -> list[Path]:
        """The Stage documents for kwok's `--config`."""
        return sorted((self.home / "stages").glob("*.yaml"))

    @property
    def storage_class(self) -> Path:
        """The default StorageClass whose claims the volume stages bind."""
        return self.home / "storage-class.yaml"


def progress(component: str, message: str) -> None:
    print(f"[install] {component}: {message}", flush=True)


@functools.cache  # once per process: every server start asks for its binary
def ensure_debian_packages() -> DebianBinaries:
    """Install PostgreSQL, Redis and nginx from Debian when their binaries are missing."""
    missing = _missing_packages(["redis-server", "nginx"])
    if postgres_bin_dir() is None:
        missing.append(_DEBIAN_PACKAGES["postgres"])
    apt_install("debian", missing)
    pg_bin = postgres_bin_dir()
    if pg_bin is None:
        raise InstallError("postgres is still missing after installing postgresql-15")
    return DebianBinaries(postgres_bin_dir=pg_bin, redis_server=_which("redis-server"), nginx=_which("nginx"))


def postgres_bin_dir() -> Path | None:
    """Newest /usr/lib/postgresql/<major>/bin holding the server, else the one on PATH."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: _int_or_zero(p.parent.parent.name)
    )
    if candidates:
        return candidates[-1].parent
    found = find_command("postgres")
    return found.parent if found else None


@functools.cache  # once per process
def ensure_kafka() -> KafkaInstall:
    """Resolve the Kafka broker jars (plus a logging backend) from Maven Central into the cache."""
    home = cache_dir() / "kafka" / KAFKA_VERSION
    pom = _kafka_pom()
    libs_dir = home / "libs"
    with install_lock(home, "kafka", fingerprint=pom) as needed:
        if not needed:
            return KafkaInstall(version=KAFKA_VERSION, libs_dir=libs_dir, java=_which("java"))
        apt_install("kafka", _missing_packages(["java", "mvn"]))
        (home / "pom.xml").write_text(pom)
        staging = home / "libs.partial"
        shutil.rmtree(staging, ignore_errors=True)
        progress("kafka", f"resolving Kafka {KAFKA_VERSION} jars from Maven Central...")
        run_step(
            "kafka",
            [
                "mvn",
                "-B",
                "--no-transfer-progress",
                f"-Dmaven.repo.local={home / 'maven-repo'}",
                f"{_MAVEN_DEPENDENCY_PLUGIN}:copy-dependencies",
                "-DincludeScope=runtime",
                f"-DoutputDirectory={staging}",
            ],
            log=home / "install.log",
            cwd=home,
        )
        shutil.rmtree(libs_dir, ignore_errors=True)
        staging.rename(libs_dir)
        # The jars are copied out; the private Maven repository would only double the disk use.
        shutil.rmtree(home / "maven-repo", ignore_errors=True)
        progress("kafka", f"{len(list(libs_dir.glob('*.jar')))} jars in {libs_dir}")
    return KafkaInstall(version=KAFKA_VERSION, libs_dir=libs_dir, java=_which("java"))


@dataclass(frozen=True)
class ZipkinInstall:
    jar: Path
    java: Path


@functools.cache  # once per process
def ensure_zipkin() -> ZipkinInstall:
    """Zipkin's executable jar from Maven Central (its checksums verified) into the cache."""
    home = cache_dir() / "zipkin" / ZIPKIN_VERSION
    jar = home / f"zipkin-server-{ZIPKIN_VERSION}-exec.jar"
    with install_lock(home, "zipkin", fingerprint=_ZIPKIN_ARTIFACT) as needed:
        if needed:
            apt_install("zipkin", _missing_packages(["java", "mvn"]))
            progress("zipkin", f"downloading {_ZIPKIN_ARTIFACT} from Maven Central (135 MB)...")
            run_step(
                "zipkin",
                [
                    "mvn",
                    "-B",
                    "--no-transfer-progress",
                    "--strict-checksums",
                    f"-Dmaven.repo.local={home / 'maven-repo'}",
                    f"{_MAVEN_DEPENDENCY_PLUGIN}:copy",
                    f"-Dartifact={_ZIPKIN_ARTIFACT}",
                    f"-DoutputDirectory={home}",
                ],
                log=home / "install.log",
                cwd=home,
            )
            shutil.rmtree(home / "maven-repo", ignore_errors=True)  # the jar is copied out
            progress("zipkin", f"installed {jar}")
    return ZipkinInstall(jar=jar, java=_which("java"))


@functools.cache  # once per process
def ensure_mailcatcher() -> Path:
    """Build Mailpit (SMTP catcher with web UI and JSON API) and return its binary.

    The Go module lacks the web UI bundle (built by npm in Mailpit's release pipeline), so this
    builds the bundle from the module's own ui-src and package-lock.json before `go build` embeds it.
    """
    home = cache_dir() / "mailpit" / MAILPIT_VERSION
    binary = home / "mailpit"
    ldflags = f"-s -w -X {_MAILPIT_MODULE}/config.Version={MAILPIT_VERSION}"
    with install_lock(home, "mailpit", fingerprint=f"{MAILPIT_VERSION} {ldflags}") as needed:
        if not needed:
            return binary
        apt_install("mailpit", _missing_packages(["npm"]))
        go = go_command()
        log = home / "install.log"
        progress("mailpit", f"downloading {_MAILPIT_MODULE}@{MAILPIT_VERSION} from the Go module proxy...")
        module = go_mod_download(go, f"{_MAILPIT_MODULE}@{MAILPIT_VERSION}", log)
        src = home / "src"
        shutil.rmtree(src, ignore_errors=True)
        shutil.copytree(module["Dir"], src)
        _make_writable(src)  # the module cache is read-only; npm writes node_modules and the bundle
        progress("mailpit", "installing the web UI's npm dependencies (npm ci)...")
        run_step("mailpit", ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], log=log, cwd=src)
        progress("mailpit", "bundling the web UI (esbuild)...")
        run_step("mailpit", ["npm", "run", "package"], log=log, cwd=src)
        if not (src / "server" / "ui" / "dist" / "app.js").is_file():
            raise InstallError(f"mailpit: the UI bundle was not produced, see {log}")
        progress("mailpit", "compiling (go build)...")
        run_step(
            "mailpit",
            [str(go), *_GO_BUILD, f"-ldflags={ldflags}", "-o", str(binary), "."],
            log=log,
            cwd=src,
            env={"CGO_ENABLED": "0"},
        )
        shutil.rmtree(src)
        progress("mailpit", f"installed {binary}")
    return binary


@functools.cache  # once per process
def ensure_jaeger() -> Path:
    """Build the Jaeger v2 all-in-one binary from the Go module proxy and return its path.

    `go install ...@version` refuses Jaeger because its go.mod has a replace directive, so this builds
    it from a tiny wrapper module with the same replace. The wrapper's go.sum is Jaeger's own: the
    checksum database has no entries for some of Jaeger's dependency versions, and Jaeger's go.sum
    pins exactly the hashes upstream tested. The web UI is not in the Go module: the binary serves a
    placeholder page at / while the query API (/api/...) is complete.
    """
    home = cache_dir() / "jaeger" / JAEGER_VERSION
    binary = home / "jaeger"
    ldflags = f"-s -w -X {_JAEGER_MODULE}/internal/version.latestVersion={JAEGER_VERSION}"
    fingerprint = f"{_JAEGER_MODULE}@{_JAEGER_MODULE_VERSION} {ldflags}"
    with install_lock(home, "jaeger", fingerprint=fingerprint) as needed:
        if not needed:
            return binary
        go = go_command()
        log = home / "install.log"
        progress(
            "jaeger", f"downloading {_JAEGER_MODULE}@{_JAEGER_MODULE_VERSION} from the Go module proxy..."
        )
        module = go_mod_download(go, f"{_JAEGER_MODULE}@{_JAEGER_MODULE_VERSION}", log)
        wrapper = home / "build"
        shutil.rmtree(wrapper, ignore_errors=True)
        wrapper.mkdir(parents=True)
        _write_jaeger_wrapper(go, wrapper, module, log)
        progress("jaeger", "compiling (go build; a cold build takes several minutes on 2 cores)...")
        run_step(
            "jaeger",
            [
                str(go),
                *_GO_BUILD,
                "-mod=mod",
                f"-ldflags={ldflags}",
                "-o",
                str(binary),
                f"{_JAEGER_MODULE}/cmd/jaeger",
            ],
            log=log,
            cwd=wrapper,
        )
        shutil.rmtree(wrapper)
        progress("jaeger", f"installed {binary}")
    return binary


def kubernetes_bin_dir() -> Path:
    """Where ensure_kubernetes() puts kubectl and the control plane (without building anything)."""
    return cache_dir() / "kubernetes" / KUBERNETES_VERSION / "bin"


@functools.cache  # once per process
def ensure_kubernetes() -> KubernetesInstall:
    """Build etcd, the control plane (kube-apiserver, kube-controller-manager, kube-scheduler), kubectl
    and a node's kubelet and kube-proxy from Go modules.

    k8s.io/kubernetes cannot be `go install`ed: its go.mod points its staging modules at directories of
    its own repository. The wrapper module shipped in this package (kubernetes/go.mod) points them at
    the published modules instead, and its go.sum pins every hash. The version is stamped the way
    upstream's release build does, so `kubectl version` reports it.
    """
    home = kubernetes_bin_dir().parent
    result = KubernetesInstall(version=KUBERNETES_VERSION, bin_dir=kubernetes_bin_dir())
    wrapper_files = {name: _KUBERNETES_MODULE.joinpath(name).read_text() for name in ("go.mod", "go.sum")}
    ldflags = f"-s -w {_kubernetes_version_flags()}"
    fingerprint = "\n".join([ldflags, *wrapper_files.values()])
    with install_lock(home, "kubernetes", fingerprint=fingerprint) as needed:
        if not needed:
            return result
        go = go_command()
        log = home / "install.log"
        wrapper = home / "build"
        shutil.rmtree(wrapper, ignore_errors=True)
        wrapper.mkdir(parents=True)
        for name, text in wrapper_files.items():
            (wrapper / name).write_text(text)
        env = {"GOTOOLCHAIN": "local", "CGO_ENABLED": "0"}
        commands = [f"k8s.io/kubernetes/cmd/{command}" for command in _KUBERNETES_COMMANDS]
        progress("kubernetes", f"downloading the modules of Kubernetes {KUBERNETES_VERSION} and etcd...")
        listing = run_step(
            "kubernetes",
            [str(go), "list", "-deps", *commands, _ETCD_PACKAGE],
            log=log,
            cwd=wrapper,
            env=env,
            capture=True,
            report=_count_downloads,
        )
        compiled = _CompiledPackages(frozenset(listing.split()))
        progress(
            "kubernetes",
            f"compiling up to {compiled.total} packages (a cold build takes several minutes on 2 cores)...",
        )
        staging = home / "bin.partial"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        builds = [
            [f"-ldflags={ldflags}", "-o", f"{staging}/", *commands],
            ["-ldflags=-s -w", "-o", str(staging / "etcd"), _ETCD_PACKAGE],
        ]
        for build in builds:
            run_step(
                "kubernetes",
                [str(go), *_GO_BUILD, "-v", *build],
                log=log,
                cwd=wrapper,
                env=env,
                report=compiled.report,
            )
        shutil.rmtree(result.bin_dir, ignore_errors=True)
        staging.rename(result.bin_dir)
        shutil.rmtree(wrapper)
        progress(
            "kubernetes",
            f"compiled {compiled.count} packages ({compiled.total - compiled.count} came from Go's build "
            f"cache); installed in {result.bin_dir}",
        )
    return result


@functools.cache  # once per process
def ensure_helm() -> Path:
    """Build Helm 3 from the Go module proxy and return its binary.

    Stamped the way Helm's release build does: its version, and the Kubernetes version `helm
    template` and `helm lint` assume without a cluster (that of the client-go it is built with).
    """
    home = cache_dir() / "helm" / HELM_VERSION
    # The recipe, with placeholders for what only the downloaded go.mod tells.
    fingerprint = f"{_HELM_MODULE}@{HELM_VERSION} {_helm_ldflags('client-go major', 'client-go minor')}"
    with install_lock(home, "helm", fingerprint=fingerprint) as needed:
        if not needed:
            return go_binary(home, "helm")
        go = go_command()
        progress("helm", f"downloading {_HELM_MODULE}@{HELM_VERSION} from the Go module proxy...")
        module = go_mod_download(go, f"{_HELM_MODULE}@{HELM_VERSION}", home / "install.log")
        ldflags = _helm_ldflags(*_client_go_kubernetes_version(go, Path(module["GoMod"])))
        binary = go_install("helm", home, f"{_HELM_MODULE}/cmd/helm", HELM_VERSION, ldflags=ldflags)
        progress("helm", f"installed {binary}")
    return binary


@functools.cache  # once per process
def ensure_kubeconform() -> Path:
    """Build kubeconform (validates manifests against JSON schemas) and return its binary."""
    return cached_go_install(
        "kubeconform",
        f"{_KUBECONFORM_MODULE}/cmd/kubeconform",
        KUBECONFORM_VERSION,
        ldflags=f"-s -w -X main.version={KUBECONFORM_VERSION}",
    )


@functools.cache  # once per process
def ensure_kwok() -> KwokInstall:
    """Build kwok and copy its stage configurations (and their StorageClass) out of its Go module."""
    result = KwokInstall(version=KWOK_VERSION, home=cache_dir() / "kwok" / KWOK_VERSION)
    home = result.home
    ldflags = "-s -w"  # kwok's source carries its own version
    fingerprint = "\n".join([f"{_KWOK_MODULE}@{KWOK_VERSION} {ldflags}", *_KWOK_STAGES, _KWOK_STORAGE_CLASS])
    with install_lock(home, "kwok", fingerprint=fingerprint) as needed:
        if not needed:
            return result
        go = go_command()
        progress("kwok", f"downloading {_KWOK_MODULE}@{KWOK_VERSION} from the Go module proxy...")
        module = Path(go_mod_download(go, f"{_KWOK_MODULE}@{KWOK_VERSION}", home / "install.log")["Dir"])
        stages = home / "stages"
        shutil.rmtree(stages, ignore_errors=True)
        stages.mkdir()
        for stage in _KWOK_STAGES:
            # Copied as plain files: the module cache is read-only.
            (stages / Path(stage).name).write_bytes((module / stage).read_bytes())
        result.storage_class.write_bytes((module / _KWOK_STORAGE_CLASS).read_bytes())
        go_install("kwok", home, f"{_KWOK_MODULE}/cmd/kwok", KWOK_VERSION, ldflags=ldflags)
        progress("kwok", f"installed {result.binary} with {len(_KWOK_STAGES)} stages")
    return result


@functools.cache  # once per process
def ensure_service_monitor_crd() -> Path:
    """The Prometheus Operator's ServiceMonitor CRD, read from its Go module: the chart's ServiceMonitors
    are validated against its schema and installed into a control plane that serves it."""
    home = cache_dir() / "prometheus-operator" / PROMETHEUS_OPERATOR_VERSION
    crd = home / Path(_SERVICE_MONITOR_CRD).name
    module_spec = f"{_PROMETHEUS_OPERATOR_MODULE}@{PROMETHEUS_OPERATOR_VERSION}"
    with install_lock(
        home, "prometheus-operator", fingerprint=f"{module_spec} {_SERVICE_MONITOR_CRD}"
    ) as needed:
        if not needed:
            return crd
        progress("prometheus-operator", f"downloading {module_spec} from the Go module proxy...")
        module = Path(go_mod_download(go_command(), module_spec, home / "install.log")["Dir"])
        # A plain copy: the module cache is read-only.
        crd.write_bytes((module / _SERVICE_MONITOR_CRD).read_bytes())
        progress("prometheus-operator", f"installed {crd}")
    return crd


@functools.cache  # once per process
def ensure_kind() -> Path:
    """Build kind (Kubernetes in Docker) and return its binary."""
    # kind's source carries its own version; the commit its release build stamps shows only in
    # pre-release versions.
    return cached_go_install("kind", _KIND_MODULE, KIND_VERSION)


def _helm_ldflags(kube_major: str, kube_minor: str) -> str:
    stamps = {
        "internal/version.version": HELM_VERSION,
        "internal/version.gitTreeState": "clean",
        "pkg/lint/rules.k8sVersionMajor": kube_major,
        "pkg/lint/rules.k8sVersionMinor": kube_minor,
        "pkg/chartutil.k8sVersionMajor": kube_major,
        "pkg/chartutil.k8sVersionMinor": kube_minor,
    }
    return " ".join(["-s -w", *(f"-X {_HELM_MODULE}/{name}={value}" for name, value in stamps.items())])


def cached_go_install(component: str, package: str, version: str, *, ldflags: str = "-s -w") -> Path:
    """A binary built by `go install package@version` into the cache (once per package, version and
    flags); `component` names its cache directory and its progress lines."""
    home = cache_dir() / component / version
    with install_lock(home, component, fingerprint=f"{package}@{version} {ldflags}") as needed:
        if not needed:
            return go_binary(home, package.rsplit("/", 1)[-1])
        binary = go_install(component, home, package, version, ldflags=ldflags)
        progress(component, f"installed {binary}")
    return binary


def go_install(component: str, home: Path, package: str, version: str, *, ldflags: str) -> Path:
    """`go install package@version` (one module, with the machine's own Go) into `home`/bin."""
    go = go_command()
    progress(component, f"compiling {package}@{version} (go install; about a minute on 2 cores)...")
    run_step(
        component,
        [str(go), "install", "-trimpath", "-v", f"-ldflags={ldflags}", f"{package}@{version}"],
        log=home / "install.log",
        cwd=home,
        env={"GOBIN": str(home / "bin"), "GOTOOLCHAIN": "local", "CGO_ENABLED": "0"},
        report=_count_compiled,
    )
    return go_binary(home, package.rsplit("/", 1)[-1])


def go_binary(home: Path, name: str) -> Path:
    return home / "bin" / name


def _client_go_kubernetes_version(go: Path, go_mod: Path) -> tuple[str, str]:
    """The Kubernetes (major, minor) of the k8s.io/client-go a go.mod requires: v0.37.x is 1.37."""
    module = json.loads(
        subprocess.run(
            [str(go), "mod", "edit", "-json", str(go_mod)], check=True, capture_output=True, text=True
        ).stdout
    )
    for requirement in module.get("Require") or []:
        if requirement["Path"] == "k8s.io/client-go":
            zero, minor, _ = requirement["Version"].removeprefix("v").split(".", 2)
            return str(int(zero) + 1), minor
    raise InstallError(f"{go_mod} does not require k8s.io/client-go")


def _count_compiled(output: str) -> str:
    compiled = [line for line in output.splitlines() if line and not line.startswith("go: ")]
    return f"compiled {len(compiled)} packages"


def _kubernetes_version_flags() -> str:
    major, minor, _ = KUBERNETES_VERSION.removeprefix("v").split(".")
    fields = {
        "gitVersion": KUBERNETES_VERSION,
        "gitMajor": major,
        "gitMinor": minor,
        "gitTreeState": "clean",
        "buildDate": _KUBERNETES_BUILD_DATE,
    }
    return " ".join(
        f"-X {package}.{field}={value}"
        for package in _KUBERNETES_VERSION_PACKAGES
        for field, value in fields.items()
    )


def _count_downloads(output: str) -> str:
    return f"downloaded {output.count('go: downloading ')} modules"


class _CompiledPackages:
    """Counts the packages `go build -v` reports, across several builds of one dependency graph."""

    def __init__(self, packages: frozenset[str]) -> None:
        self._packages = packages
        self._compiled: set[str] = set()

    @property
    def total(self) -> int:
        return len(self._packages)

    @property
    def count(self) -> int:
        return len(self._compiled)

    def report(self, output: str) -> str:
        self._compiled.update(line for line in output.split() if line in self._packages)
        return f"compiled {self.count}/{self.total} packages"


def _kafka_pom() -> str:
    deps = [("org.apache.kafka", "kafka_2.13", KAFKA_VERSION), *_KAFKA_LOGGING]
    xml_deps = "\n".join(
        f"    <dependency><groupId>{group}</groupId><artifactId>{artifact}</artifactId>"
        f"<version>{version}</version></dependency>"
        for group, artifact, version in deps
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by tickethub.stack.install: the runtime classpath of a Kafka broker. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>io.tickethub.local</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>{KAFKA_VERSION}</version>
  <packaging>pom</packaging>
  <dependencies>
{xml_deps}
  </dependencies>
</project>
"""


def _write_jaeger_wrapper(go: Path, wrapper: Path, module: Mapping[str, str], log: Path) -> None:
    upstream = Path(module["Dir"])
    upstream_mod = json.loads(
        subprocess.run(
            [str(go), "mod", "edit", "-json", str(upstream / "go.mod")],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    run_step("jaeger", [str(go), "mod", "init", "tickethub.local/jaeger-build"], log=log, cwd=wrapper)
    edits = [f"-go={upstream_mod['Go']}", f"-require={_JAEGER_MODULE}@{_JAEGER_MODULE_VERSION}"]
    for rep in upstream_mod.get("Replace") or []:
        old, new = rep["Old"], rep["New"]
        old_spec = f"{old['Path']}@{old['Version']}" if old.get("Version") else old["Path"]
        new_spec = f"{new['Path']}@{new['Version']}" if new.get("Version") else new["Path"]
        edits.append(f"-replace={old_spec}={new_spec}")
    run_step("jaeger", [str(go), "mod", "edit", *edits], log=log, cwd=wrapper)
    own_sums = (
        f"{_JAEGER_MODULE} {_JAEGER_MODULE_VERSION} {module['Sum']}\n"
        f"{_JAEGER_MODULE} {_JAEGER_MODULE_VERSION}/go.mod {module['GoModSum']}\n"
    )
    (wrapper / "go.sum").write_text((upstream / "go.sum").read_text() + own_sums)


def go_command() -> Path:
    go = find_command("go")
    if go is None:
        # Debian's golang is too old for these modules: Go itself is a machine prerequisite.
        raise InstallError("go (>= 1.24) is required on PATH or in /usr/local/go/bin")
    return go


def go_mod_download(go: Path, spec: str, log: Path) -> dict[str, str]:
    out = run_step("go", [str(go), "mod", "download", "-json", spec], log=log, cwd=log.parent, capture=True)
    info: dict[str, str] = json.loads(out)
    return info


@contextmanager
def install_lock(home: Path, component: str, *, fingerprint: str) -> Iterator[bool]:
    """Yield True when `home` must be (re)built; record the fingerprint when the build succeeds."""
    stamp = home / ".installed"
    digest = hashlib.sha256(fingerprint.encode()).hexdigest()
    if _read(stamp) == digest:
        progress(component, f"cached in {home}")
        yield False
        return
    home.mkdir(parents=True, exist_ok=True)
    with (home.parent / f".{home.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be building the same thing right now
        if _read(stamp) == digest:
            progress(component, f"cached in {home} (built by another process)")
            yield False
            return
        stamp.unlink(missing_ok=True)
        started = time.monotonic()
        yield True
        stamp.write_text(digest)
        progress(component, f"done in {time.monotonic() - started:.0f} s")


def _missing_packages(commands: Sequence[str]) -> list[str]:
    return [_DEBIAN_PACKAGES[c] for c in commands if find_command(c) is None]


def apt_install(component: str, missing: Sequence[str]) -> None:
    if not missing:
        progress(component, "Debian packages present")
        return
    if os.geteuid() != 0:
        raise InstallError(
            f"missing Debian packages, install them with: sudo apt-get install -y {' '.join(missing)}"
        )
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    log = cache_dir() / "apt.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    progress(component, "apt-get update...")
    run_step(component, ["apt-get", "update", "-q"], log=log, cwd=log.parent, env=env)
    progress(component, f"apt-get install {' '.join(missing)}...")
    run_step(
        component,
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing],
        log=log,
        cwd=log.parent,
        env=env,
    )


def run_step(
    component: str,
    cmd: Sequence[str],
    *,
    log: Path,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    capture: bool = False,
    report: Callable[[str], str] | None = None,
) -> str:
    """Run a step with its output appended to `log`, printing a heartbeat while it runs long.

    `report` turns the step's logged output so far into a progress message, printed more often than
    the plain heartbeat.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with log.open("a") as log_file:
        log_file.write(f"$ {' '.join(cmd)}\n")
        log_file.flush()
        output_start = log_file.tell()
        proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if capture else log_file,
            stderr=log_file,
            text=True,
        )
        while True:
            try:
                out, _ = proc.communicate(timeout=_PROGRESS_SECONDS if report else _HEARTBEAT_SECONDS)
                break
            except subprocess.TimeoutExpired:
                status = report(_read_from(log, output_start)) if report else "still running"
                progress(component, f"{status} ({time.monotonic() - started:.0f} s)...")
    if proc.returncode != 0:
        raise InstallError(f"{component}: `{' '.join(cmd)}` failed ({proc.returncode}):\n{_tail(log)}")
    return out or ""


def find_command(name: str) -> Path | None:
    found = shutil.which(name)
    if found:
        return Path(found)
    for directory in _EXTRA_BIN_DIRS:
        if (directory / name).is_file() and os.access(directory / name, os.X_OK):
            return directory / name
    return None


def _which(name: str) -> Path:
    found = find_command(name)
    if found is None:
        raise InstallError(f"{name} is still missing after installing {_DEBIAN_PACKAGES[name]}")
    return found


def _make_writable(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except FileNotFoundError:
        return None


def _read_from(path: Path, offset: int) -> str:
    with path.open(errors="replace") as file:
        file.seek(offset)
        return file.read()


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _int_or_zero(text: str) -> int:
    return int(text) if text.isdigit() else 0
