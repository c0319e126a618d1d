"""A workload of the rendered chart, run as a Docker container the way a kubelet runs its pod.

From the pod template: the image; its command and arguments (Kubernetes' `command` replaces the
image's entrypoint, `args` its command); the environment, with values from the rendered Secrets and
ConfigMaps; the security context of the pod and of the container (user and group, fsGroup as a
supplementary group, read-only root filesystem, dropped capabilities, no privilege escalation); the
volumes (an emptyDir becomes a tmpfs, a configMap a read-only directory of the rendered ConfigMap's
files). Probes run as a kubelet runs them: `exec` inside the container, `tcpSocket` and `httpGet`
against the container's port.

The containers share the host's network (tickethub.stack.images), where the chart's fixed ports may be
taken: a test moves them to free ones first (`move_port` and the component's own settings).
"""

import base64
import copy
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tickethub.stack import probes
from tickethub.stack.helm import objects
from tickethub.stack.images import Docker, DockerError, wait_for
from tickethub.stack.ports import LOOPBACK

_WORKLOADS = ("Deployment", "StatefulSet")
_COMPONENT_LABEL = "app.kubernetes.io/component"
_PROBES = ("startupProbe", "readinessProbe", "livenessProbe")
# A kubelet's default probe timeout.
_PROBE_TIMEOUT_SECONDS = 1


@dataclass
class ChartPod:
    """The pod template of one component, with every ConfigMap's and Secret's data of the release.

    Edit `spec` (through `container`) or `config_maps` before `running`: they are copies.
    """

    spec: dict[str, Any]
    config_maps: dict[str, dict[str, str]]
    secrets: dict[str, dict[str, str]]

    @classmethod
    def of(cls, manifests: str, component: str) -> "ChartPod":
        documents = objects(manifests)
        [workload] = [
            document
            for document in documents
            if document["kind"] in _WORKLOADS
            and document["metadata"]["labels"][_COMPONENT_LABEL] == component
        ]
        return cls(
            spec=copy.deepcopy(workload["spec"]["template"]["spec"]),
            config_maps={
                document["metadata"]["name"]: dict(document.get("data") or {})
                for document in documents
                if document["kind"] == "ConfigMap"
            },
            secrets={
                document["metadata"]["name"]: _secret_data(document)
                for document in documents
                if document["kind"] == "Secret"
            },
        )

    @property
    def container(self) -> dict[str, Any]:
        containers: list[dict[str, Any]] = self.spec["containers"]
        [container] = containers
        return container

    @property
    def environment(self) -> dict[str, str]:
        """The container's variables, with the values of the Secrets and ConfigMaps they name."""
        return {variable["name"]: self._value(variable) for variable in self.container.get("env", [])}

    def move_port(self, name: str, port: int) -> None:
        """Give the container's port `name` (what Services and probes name) another number."""
        [declared] = [declared for declared in self.container["ports"] if declared["name"] == name]
        declared["containerPort"] = port

    @contextmanager
    def running(self, docker: Docker, workdir: Path) -> Iterator[str]:
        """The container (its id), started as its pod would be; `workdir` holds the ConfigMaps' files.
        Removed on exit."""
        environment = self.environment
        command = self.container.get("command")
        entrypoint = [f"--entrypoint={command[0]}"] if command else []
        arguments = [*(command or [])[1:], *self.container.get("args", [])]
        options = [
            "--detach",
            "--network=host",
            *(f"--env={name}" for name in environment),
            *self._security_options(),
            *self._volume_options(workdir),
            *entrypoint,
        ]
        container = docker(
            "run", *options, self.container["image"], *arguments, variables=environment
        ).strip()
        try:
            yield container
        finally:
            docker("container", "rm", "--force", container)

    @contextmanager
    def serving(self, docker: Docker, workdir: Path, *, timeout: float) -> Iterator[str]:
        """`running`, once every probe of the container passes; fails with the container's log when it
        exits or the deadline passes first."""
        with self.running(docker, workdir) as container:
            what = "the chart's probes"
            wait_for(docker, container, lambda: self.probes_pass(docker, container), what, timeout=timeout)
            yield container

    def probes_pass(self, docker: Docker, container: str) -> bool:
        """True when every probe of the container passes once."""
        return all(
            self._passes(docker, container, self.container[probe])
            for probe in _PROBES
            if probe in self.container
        )

    def _passes(self, docker: Docker, container: str, probe: dict[str, Any]) -> bool:
        timeout = probe.get("timeoutSeconds", _PROBE_TIMEOUT_SECONDS)
        if "exec" in probe:
            try:
                docker("exec", container, *probe["exec"]["command"], timeout=timeout)
            except (DockerError, subprocess.TimeoutExpired):
                return False
            return True
        if "tcpSocket" in probe:
            try:
                with socket.create_connection((LOOPBACK, self._port(probe["tcpSocket"]["port"])), timeout):
                    return True
            except OSError:
                return False
        request = probe["httpGet"]
        return probes.http_ok(f"http://{LOOPBACK}:{self._port(request['port'])}{request['path']}")

    def _port(self, port: int | str) -> int:
        if isinstance(port, int):
            return port
        [declared] = [declared for declared in self.container["ports"] if declared["name"] == port]
        number: int = declared["containerPort"]
        return number

    def _value(self, variable: dict[str, Any]) -> str:
        if "value" in variable:
            return str(variable["value"])
        source = variable["valueFrom"]
        if "secretKeyRef" in source:
            reference = source["secretKeyRef"]
            return self.secrets[reference["name"]][reference["key"]]
        reference = source["configMapKeyRef"]
        return self.config_maps[reference["name"]][reference["key"]]

    def _security_options(self) -> list[str]:
        pod = self.spec.get("securityContext", {})
        context = {**pod, **self.container.get("securityContext", {})}
        options = []
        if "runAsUser" in context:
            options.append(f"--user={context['runAsUser']}:{context.get('runAsGroup', 0)}")
        if "fsGroup" in pod:
            options.append(f"--group-add={pod['fsGroup']}")
        if context.get("readOnlyRootFilesystem"):
            options.append("--read-only")
        if context.get("allowPrivilegeEscalation") is False:
            options.append("--security-opt=no-new-privileges")
        capabilities = context.get("capabilities", {})
        options += [f"--cap-drop={name}" for name in capabilities.get("drop", [])]
        options += [f"--cap-add={name}" for name in capabilities.get("add", [])]
        return options

    def _volume_options(self, workdir: Path) -> list[str]:
        volumes = {volume["name"]: volume for volume in self.spec.get("volumes", [])}
        options = []
        for mount in self.container.get("volumeMounts", []):
            volume, path = volumes[mount["name"]], mount["mountPath"]
            if "emptyDir" in volume:
                # Writable by every user, and programs may run from it (Kafka unpacks native libraries
                # into /tmp), as a kubelet's emptyDir. Docker gives a tmpfs the mode of the image's
                # directory beneath it where there is one: that directory must be open to the pod's user.
                options.append(f"--tmpfs={path}:rw,exec,mode=777")
            elif "configMap" in volume:
                files = self._config_map_files(volume["configMap"], workdir / mount["name"])
                options.append(f"--mount=type=bind,source={files},destination={path},readonly")
            else:
                raise NotImplementedError(f"volume {mount['name']}: only emptyDir and configMap are run here")
        return options

    def _config_map_files(self, source: dict[str, Any], directory: Path) -> Path:
        data = self.config_maps[source["name"]]
        items = source.get("items") or [{"key": key, "path": key} for key in data]
        directory.mkdir(parents=True)
        directory.chmod(0o755)
        for item in items:
            file = directory / item["path"]
            file.write_text(data[item["key"]])
            file.chmod(0o644)  # a kubelet's default mode
        return directory


def _secret_data(secret: dict[str, Any]) -> dict[str, str]:
    encoded = {key: base64.b64decode(value).decode() for key, value in (secret.get("data") or {}).items()}
    return {**encoded, **(secret.get("stringData") or {})}
