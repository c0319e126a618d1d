"""skaffold.yaml agrees with the chart it deploys, the Dockerfile it builds and the code it syncs.

Skaffold itself cannot be installed on these machines (its Go module is not served by the module
proxy), so each profile is applied as Skaffold applies it (its RFC 6902 patches, then its other
sections over the base) and the result is rendered with the real Helm the way Skaffold's Helm deployer
calls it: values files in order, then each setValueTemplates entry with Skaffold's image variables.
"""

import re
from pathlib import Path
from typing import Any

import jsonpatch  # type: ignore[import-untyped]
import pytest
import yaml

from tickethub.stack.helm import HelmError, helm_template, objects
from tickethub.stack.images import IMAGE_PREFIX
from tickethub.stack.routes import repo_root

ROOT = repo_root()
SKAFFOLD = yaml.safe_load((ROOT / "skaffold.yaml").read_text())
PROFILES = [None, *(profile["name"] for profile in SKAFFOLD["profiles"])]
# The image Skaffold would build for an artifact, faked: a registry and a tag no default could match.
FAKE_REGISTRY = "registry.test"
FAKE_TAG = "skaffold-built"
TEMPLATE_VARIABLE = re.compile(r"\{\{\s*\.(\w+)\s*\}\}")
SITE_PACKAGES_IN_TILT = re.search(r'SITE_PACKAGES = "(\S+)"', (ROOT / "Tiltfile").read_text())


def with_profile(profile: str | None) -> dict[str, Any]:
    config: dict[str, Any] = {key: value for key, value in SKAFFOLD.items() if key != "profiles"}
    if profile is None:
        return config
    (chosen,) = [p for p in SKAFFOLD["profiles"] if p["name"] == profile]
    config = jsonpatch.apply_patch(config, chosen.get("patches", []))
    return config | {
        key: value for key, value in chosen.items() if key not in {"name", "activation", "patches"}
    }


def template_key(image: str) -> str:
    """Skaffold's name for an image in templates: every character outside [a-zA-Z0-9_] becomes `_`."""
    return re.sub(r"[^a-zA-Z0-9_]", "_", image)


def skaffold_images(config: dict[str, Any]) -> dict[str, str]:
    """The template variables Skaffold sets for the images it built (faked), by variable name."""
    variables = {}
    for artifact in config["build"]["artifacts"]:
        key = template_key(artifact["image"])
        variables[f"IMAGE_REPO_{key}"] = f"{FAKE_REGISTRY}/{artifact['image']}"
        variables[f"IMAGE_TAG_{key}"] = FAKE_TAG
    return variables


def render(config: dict[str, Any]) -> list[dict[str, Any]]:
    (release,) = config["deploy"]["helm"]["releases"]
    variables = skaffold_images(config)
    settings = []
    for key, template in release.get("setValueTemplates", {}).items():
        used = TEMPLATE_VARIABLE.findall(template)
        assert set(used) <= set(variables), f"{key}: {template} names no artifact"
        value = TEMPLATE_VARIABLE.sub(lambda match: variables[match[1]], template)
        settings.append(f"{key}={value}")
    rendered = helm_template(
        ROOT / release["chartPath"],
        release=release["name"],
        namespace=release["namespace"],
        values=[ROOT / values for values in release.get("valuesFiles", [])],
        settings=settings,
    )
    return objects(rendered)


def container_images(manifests: list[dict[str, Any]]) -> set[str]:
    return {
        container["image"]
        for manifest in manifests
        if manifest["kind"] in {"Deployment", "StatefulSet", "Job"}
        for container in manifest["spec"]["template"]["spec"]["containers"]
    }


@pytest.mark.parametrize("profile", PROFILES, ids=lambda profile: profile or "base")
def test_every_tickethub_container_runs_the_image_skaffold_built(profile: str | None) -> None:
    config = with_profile(profile)
    built = {f"{FAKE_REGISTRY}/{a['image']}:{FAKE_TAG}" for a in config["build"]["artifacts"]}
    images = container_images(render(config))
    assert {image for image in images if IMAGE_PREFIX in image} == built
    for artifact in config["build"]["artifacts"]:
        assert artifact["image"] == IMAGE_PREFIX + artifact["docker"]["buildArgs"]["PACKAGE"]
        assert (ROOT / artifact.get("context", ".") / artifact["docker"]["dockerfile"]).is_file()


def test_dev_syncs_into_the_environment_the_tiltfile_syncs_into_and_reloads() -> None:
    base, dev = with_profile(None), with_profile("dev")
    assert SITE_PACKAGES_IN_TILT is not None
    synced = [a for a in dev["build"]["artifacts"] if a.get("sync")]
    assert {a["image"] for a in synced} == {
        f"{IMAGE_PREFIX}{path.parent.name}" for path in ROOT.glob("services/*/src")
    }
    for artifact in synced:
        package = artifact["docker"]["buildArgs"]["PACKAGE"]
        assert artifact["docker"]["buildArgs"]["ENVIRONMENT_OWNER"] == "10001:10001"
        for rule in artifact["sync"]["manual"]:
            matched = sorted(ROOT.glob(rule["src"]))
            assert matched, rule["src"]
            for source in matched:
                destination = (
                    f"{rule['dest']}/{source.relative_to(ROOT).as_posix().removeprefix(rule['strip'])}"
                )
                assert destination.startswith(f"{SITE_PACKAGES_IN_TILT[1]}/{package}/"), destination
    # The base and ci configurations build what ships: root-owned environment, nothing synced.
    for config in (base, with_profile("ci")):
        assert [
            a for a in config["build"]["artifacts"] if "ENVIRONMENT_OWNER" in a["docker"]["buildArgs"]
        ] == []
        assert [a for a in config["build"]["artifacts"] if a.get("sync")] == []
    (release,) = dev["deploy"]["helm"]["releases"]
    assert release["valuesFiles"][-1] == "k8s/dev/live-update-values.yaml"
    deployments = [m for m in render(dev) if m["kind"] == "Deployment" and m["metadata"]["name"] in {
        f"{release['name']}-{a['docker']['buildArgs']['PACKAGE']}" for a in synced}]  # fmt: skip
    assert len(deployments) == len(synced)
    for deployment in deployments:
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert container["securityContext"]["readOnlyRootFilesystem"] is False
        assert {"name": "UVICORN_RELOAD", "value": "true"} in container["env"]


def test_port_forwards_name_services_and_ports_the_chart_has() -> None:
    config = with_profile(None)
    services = {
        (m["metadata"]["name"], m["metadata"]["namespace"]): {port["port"] for port in m["spec"]["ports"]}
        for m in render(config)
        if m["kind"] == "Service"
    }
    forwards = config["portForward"]
    for forward in forwards:
        assert forward["resourceType"] == "service"
        assert forward["port"] in services[(forward["resourceName"], forward["namespace"])], forward
    assert len({forward["localPort"] for forward in forwards}) == len(forwards)
    assert "portForward" not in with_profile("ci")


def test_ci_waits_for_the_release_and_verifies_with_an_image_it_built() -> None:
    ci = with_profile("ci")
    (release,) = ci["deploy"]["helm"]["releases"]
    assert release["wait"] is True
    services = {
        (m["metadata"]["name"], m["metadata"]["namespace"]) for m in render(ci) if m["kind"] == "Service"
    }
    artifacts = {artifact["image"] for artifact in ci["build"]["artifacts"]}
    for check in ci["verify"]:
        assert check["container"]["image"] in artifacts
        script = check["container"]["args"][0]
        (listed,) = re.findall(r"for service in \(([^)]*)\)", script)
        names = re.findall(r'"(\w+)"', listed)
        hosts = re.findall(r"http://([\w{}.-]+):8000", script)
        assert names and hosts
        for host in hosts:
            for name in [host.replace("{service}", n) for n in names] if "{service}" in host else [host]:
                service, namespace = name.split(".")
                assert (service, namespace) in services, name


def test_a_misspelled_chart_value_in_skaffold_would_fail_the_deploy() -> None:
    config = with_profile(None)
    (release,) = config["deploy"]["helm"]["releases"]
    release["setValueTemplates"] = {"services.users.image.repositry": "{{.IMAGE_REPO_tickethub_users}}"}
    with pytest.raises(HelmError, match="repositry"):
        render(config)


def test_skaffold_and_the_tiltfile_deploy_the_same_release() -> None:
    (release,) = SKAFFOLD["deploy"]["helm"]["releases"]
    tiltfile = (ROOT / "Tiltfile").read_text()
    assert f'RELEASE = "{release["name"]}"' in tiltfile
    assert f'NAMESPACE = "{release["namespace"]}"' in tiltfile
    assert f'CHART = "{release["chartPath"]}"' in tiltfile
    for values in with_profile("dev")["deploy"]["helm"]["releases"][0]["valuesFiles"]:
        assert Path(ROOT / values).is_file() and f'"{values}"' in tiltfile
