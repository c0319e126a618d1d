"""The Tiltfile, loaded as Tilt loads it (Go's Starlark; Tilt's built-ins with their real parameters),
agrees with the chart it deploys, the Dockerfile it builds and the code it syncs.

Tilt itself cannot be installed on these machines (its Go module is not served by the module proxy);
what Tilt would do with these calls is Tilt's documented behaviour: an image built by docker_build
replaces every container image of the same repository, a resource is named after its workload, an
`objects` selector must match exactly one object, a sync copies a local tree to a container path.
"""

import re
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tickethub.stack import install
from tickethub.stack.images import IMAGE_PREFIX
from tickethub.stack.routes import repo_root
from tickethub.stack.topology import chart_services
from tickethub.testing.tiltfile import Tiltfile, TiltfileError, load_tiltfile
from tickethub.web.metrics import METRICS_PATH

ROOT = repo_root()
# Where the image's environment keeps installed packages: the Dockerfile's environment (uv's project
# environment) with the base image's Python. tests/images syncs into it for real.
_ENVIRONMENT = re.search(r"UV_PROJECT_ENVIRONMENT=(\S+)", (ROOT / "Dockerfile").read_text())
assert _ENVIRONMENT is not None
SITE_PACKAGES = f"{_ENVIRONMENT[1]}/lib/python3.11/site-packages"
SERVICES = tuple(chart_services(ROOT))


@pytest.fixture(scope="module")
def tilt() -> Tiltfile:
    return load_tiltfile(ROOT / "Tiltfile")


def containers(workload: dict[str, Any]) -> list[dict[str, Any]]:
    spec = workload["spec"]["jobTemplate"]["spec"] if workload["kind"] == "CronJob" else workload["spec"]
    return list(spec["template"]["spec"]["containers"])


def repository(image: str) -> str:
    return image.rsplit(":", 1)[0]


def workspace_packages(package_dir: Path) -> set[Path]:
    """The package and every workspace library it installs, as source directories."""
    found = {package_dir}
    project = tomllib.loads((package_dir / "pyproject.toml").read_text())["project"]
    for requirement in project.get("dependencies", []):
        name = re.split(r"[\s=<>\[;]", requirement, maxsplit=1)[0]
        if name.startswith("tickethub-"):
            found |= workspace_packages(ROOT / "libs" / name.removeprefix("tickethub-"))
    return found


def import_path(source: Path) -> str:
    """`services/users/src/users` -> `users`; `libs/web/src/tickethub/web` -> `tickethub/web`."""
    parts = source.relative_to(ROOT).parts
    return "/".join(parts[parts.index("src") + 1 :])


def source_root(source: Path) -> Path:
    """The workspace package a source tree belongs to: `libs/web/src/tickethub/web` -> `libs/web`."""
    return source.parents[len(import_path(source).split("/"))]


def package_directory(package: str) -> str:
    return package if package == "operator" else f"services/{package}"


def test_every_image_the_chart_runs_is_one_tilt_builds(tilt: Tiltfile) -> None:
    built = {build["ref"] for build in tilt["docker_build"]}
    ours = {
        repository(container["image"])
        for workload in tilt.workloads()
        for container in containers(workload)
        if container["image"].startswith(IMAGE_PREFIX)
    }
    assert ours == built
    for build in tilt["docker_build"]:
        package = build["build_args"]["PACKAGE"]
        assert build["ref"] == IMAGE_PREFIX + package
        assert (ROOT / build.get("context", ".") / build.get("dockerfile", "Dockerfile")).is_file()
        assert [path for path in build["only"] if not (ROOT / path).exists()] == []


def test_live_update_syncs_every_installed_source_tree_to_where_the_image_has_it(tilt: Tiltfile) -> None:
    live = [build for build in tilt["docker_build"] if build.get("live_update")]
    assert {build["build_args"]["PACKAGE"] for build in live} == {
        path.name for path in (ROOT / "services").iterdir() if (path / "pyproject.toml").exists()
    }
    installed_libraries = {
        path
        for build in tilt["docker_build"]
        for path in workspace_packages(ROOT / package_directory(build["build_args"]["PACKAGE"]))
        if path.parent.name == "libs"
    }
    for build in live:
        package_dir = ROOT / "services" / build["build_args"]["PACKAGE"]
        fall_back, *syncs = build["live_update"]
        # A change to what is installed rebuilds the image instead (Tilt allows fall_back_on first only).
        assert fall_back["step"] == "fall_back_on"
        assert {ROOT / file for file in fall_back["files"]} >= {
            ROOT / "pyproject.toml",
            ROOT / "uv.lock",
            *(path / "pyproject.toml" for path in workspace_packages(package_dir)),
        }
        assert {step["step"] for step in syncs} == {"sync"}
        # Every tree the image installs; the libraries any image installs (one list for all images).
        synced = {source_root(ROOT / step["local_path"]) for step in syncs}
        assert synced >= workspace_packages(package_dir)
        assert synced - {package_dir} == installed_libraries
        for step in syncs:
            source = ROOT / step["local_path"]
            assert (source / "__init__.py").is_file(), source
            assert step["remote_path"] == f"{SITE_PACKAGES}/{import_path(source)}"


def test_the_live_updated_containers_can_be_written_and_reload(tilt: Tiltfile) -> None:
    builds = {build["ref"]: build for build in tilt["docker_build"] if build.get("live_update")}
    checked = 0
    for workload in tilt.workloads():
        if workload["kind"] != "Deployment":
            continue
        pod = workload["spec"]["template"]["spec"]
        for container in pod["containers"]:
            build = builds.get(repository(container["image"]))
            if build is None:
                continue
            owner = f"{pod['securityContext']['runAsUser']}:{pod['securityContext']['runAsGroup']}"
            assert build["build_args"]["ENVIRONMENT_OWNER"] == owner
            assert container["securityContext"]["readOnlyRootFilesystem"] is False
            env = {variable["name"]: variable.get("value") for variable in container["env"]}
            assert env["UVICORN_RELOAD"] == "true"
            watched = env["UVICORN_RELOAD_DIRS"].split(":")
            for step in build["live_update"][1:]:
                assert any(step["remote_path"].startswith(directory + "/") or step["remote_path"] == directory
                           for directory in watched), (step["remote_path"], watched)  # fmt: skip
            checked += 1
    assert checked == len(builds)


def test_every_workload_is_a_labelled_resource_and_every_selector_matches(tilt: Tiltfile) -> None:
    resources = tilt["k8s_resource"]
    workloads = [w["metadata"]["name"] for w in tilt.workloads()]
    configured = [resource["workload"] for resource in resources if resource.get("workload")]
    assert sorted(configured) == sorted(workloads)
    assert [resource for resource in resources if not resource.get("labels")] == []
    for resource in resources:
        for selector in resource.get("objects", []):
            name, kind = selector.split(":")[:2]
            matching = [
                m for m in tilt.manifests if m["metadata"]["name"] == name and m["kind"].lower() == kind
            ]
            assert len(matching) == 1, selector


def test_dependencies_name_resources_that_exist(tilt: Tiltfile) -> None:
    names = [r.get("new_name") or r["workload"] for r in tilt["k8s_resource"]]
    names += [r["name"] for r in tilt["local_resource"]]
    assert len(names) == len(set(names))
    for resource in [*tilt["k8s_resource"], *tilt["local_resource"]]:
        assert set(resource.get("resource_deps", [])) <= set(names), resource


def test_port_forwards_reach_ports_the_containers_listen_on(tilt: Tiltfile) -> None:
    by_name = {w["metadata"]["name"]: w for w in tilt.workloads()}
    local_ports = []
    for resource in tilt["k8s_resource"]:
        for forward in resource.get("port_forwards", []):
            listening = {
                p["containerPort"] for c in containers(by_name[resource["workload"]]) for p in c["ports"]
            }
            assert (forward.get("container_port") or forward["local_port"]) in listening, resource["workload"]
            local_ports.append(forward["local_port"])
    assert len(local_ports) == len(set(local_ports)) > 0


def test_each_service_links_its_metrics_on_its_forwarded_port(tilt: Tiltfile) -> None:
    services = [r for r in tilt["k8s_resource"] if r.get("new_name") in SERVICES]
    assert len(services) == len(SERVICES)
    for resource in services:
        [forward] = resource["port_forwards"]
        [metrics] = resource["links"]
        assert metrics["url"] == f"http://localhost:{forward['local_port']}{METRICS_PATH}", resource[
            "workload"
        ]


def test_everything_goes_into_the_namespace_the_tiltfile_creates(tilt: Tiltfile) -> None:
    namespaces = [m["metadata"]["name"] for m in tilt.manifests if m["kind"] == "Namespace"]
    assert len(namespaces) == 1
    cluster_wide = {"Namespace", "CustomResourceDefinition", "ValidatingWebhookConfiguration"}
    assert {m["metadata"].get("namespace") for m in tilt.manifests if m["kind"] not in cluster_wide} == {
        namespaces[0]
    }


def test_local_resources_watch_and_test_paths_that_exist(tilt: Tiltfile) -> None:
    for resource in tilt["local_resource"]:
        assert [path for path in resource.get("deps", []) if not (ROOT / path).exists()] == []
        for target in re.findall(r"(?:pytest -q|-f) (\S+)", resource["cmd"]):
            assert (ROOT / target).exists(), resource["cmd"]


def test_the_tiltfiles_values_pass_helm_lint_strict(tilt: Tiltfile) -> None:
    (chart_call,) = tilt["helm"]
    values = [f"--values={ROOT / file}" for file in chart_call["values"]]
    linted = subprocess.run(
        [str(install.ensure_helm()), "lint", "--strict", str(ROOT / chart_call["pathToChartDir"]), *values],
        capture_output=True,
        text=True,
        check=False,
    )
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_a_misspelled_tilt_argument_is_refused(tmp_path: Path) -> None:
    tiltfile = tmp_path / "Tiltfile"
    tiltfile.write_text('k8s_resource("tickethub-users", port_forward=8001)\n')
    with pytest.raises(TiltfileError, match=re.escape("k8s_resource() has no parameter port_forward")):
        load_tiltfile(tiltfile)
