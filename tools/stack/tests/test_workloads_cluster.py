"""A control plane with `workloads=True` runs workloads as a real cluster does, on kwok's fake nodes:
Deployments become Available, Jobs complete, StatefulSets get their volumes, and `helm install --wait`
and `helm uninstall` behave as they would on a real cluster."""

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tickethub.stack.control_plane import FAKE_NODES, ControlPlane, KubectlError
from tickethub.stack.ports import free_port
from tickethub.testing import eventually

pytestmark = pytest.mark.integration

READY_TIMEOUT = 120.0  # a busy 2-core machine
WAIT = "--timeout=90s"

WEB = """
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      nodeSelector: {kubernetes.io/os: linux}
      containers:
        - name: web
          image: registry.example/web:1.0
          ports: [{containerPort: 8000}]
          resources: {requests: {cpu: 100m, memory: 64Mi}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8000}]
"""

MIGRATE = """
apiVersion: v1
kind: Namespace
metadata: {name: batch}
---
apiVersion: batch/v1
kind: Job
metadata: {name: migrate, namespace: batch}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers: [{name: migrate, image: registry.example/migrate:1.0}]
"""

DATABASE = """
apiVersion: v1
kind: Namespace
metadata: {name: data}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: data}
spec:
  replicas: 1
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
        - name: db
          image: registry.example/db:1.0
          volumeMounts: [{name: data, mountPath: /var/lib/db}]
  volumeClaimTemplates:
    - metadata: {name: data}
      spec:
        accessModes: [ReadWriteOnce]
        resources: {requests: {storage: 1Gi}}
"""

SCALED = """
apiVersion: v1
kind: Namespace
metadata: {name: scaled}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker, namespace: scaled}
spec:
  replicas: 1
  selector: {matchLabels: {app: worker}}
  template:
    metadata: {labels: {app: worker}}
    spec:
      containers:
        - name: worker
          image: registry.example/worker:1.0
          resources: {requests: {cpu: 100m}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: worker, namespace: scaled}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: worker}
  minReplicas: 3
  maxReplicas: 5
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}}]
"""

CHART_FILES = {
    "Chart.yaml": "apiVersion: v2\nname: tiny\nversion: 0.1.0\n",
    "values.yaml": "replicas: 2\nnodeSelector: {}\n",
    "templates/deployment.yaml": """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-api
  labels: {app.kubernetes.io/instance: {{ .Release.Name }}}
spec:
  replicas: {{ .Values.replicas }}
  selector: {matchLabels: {app.kubernetes.io/instance: {{ .Release.Name }}, role: api}}
  template:
    metadata: {labels: {app.kubernetes.io/instance: {{ .Release.Name }}, role: api}}
    spec:
      serviceAccountName: {{ .Release.Name }}
      nodeSelector: {{ toJson .Values.nodeSelector }}
      containers:
        - name: api
          image: registry.example/api:1.0
          envFrom: [{configMapRef: {name: {{ .Release.Name }}-settings}}]
          readinessProbe: {httpGet: {path: /readyz, port: 8000}}
""",
    "templates/service.yaml": """
apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}-api
  labels: {app.kubernetes.io/instance: {{ .Release.Name }}}
spec:
  selector: {app.kubernetes.io/instance: {{ .Release.Name }}, role: api}
  ports: [{port: 80, targetPort: 8000}]
""",
    "templates/settings.yaml": """
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-settings
  labels: {app.kubernetes.io/instance: {{ .Release.Name }}}
data: {LOG_LEVEL: info}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ .Release.Name }}
  labels: {app.kubernetes.io/instance: {{ .Release.Name }}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ .Release.Name }}-api
  labels: {app.kubernetes.io/instance: {{ .Release.Name }}}
spec:
  minAvailable: 1
  selector: {matchLabels: {app.kubernetes.io/instance: {{ .Release.Name }}, role: api}}
""",
    "templates/migrate.yaml": """
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}-migrate
  labels: {app.kubernetes.io/instance: {{ .Release.Name }}}
spec:
  backoffLimit: 0
  template:
    metadata: {labels: {app.kubernetes.io/instance: {{ .Release.Name }}, role: migrate}}
    spec:
      restartPolicy: Never
      containers: [{name: migrate, image: registry.example/api:1.0, args: [migrate]}]
""",
}
RELEASE_KINDS = "deployments,replicasets,pods,services,configmaps,serviceaccounts,jobs,poddisruptionbudgets"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ControlPlane]:
    control_plane = ControlPlane(tmp_path_factory.mktemp("kubernetes"), free_port(), workloads=True)
    started = time.monotonic()
    control_plane.start()
    try:
        control_plane.wait_ready(READY_TIMEOUT)
        print(f"control plane with workloads ready {time.monotonic() - started:.2f} s after start()")
        yield control_plane
    finally:
        control_plane.stop()


def kubectl_json(cluster: ControlPlane, *args: str) -> Any:
    return json.loads(cluster.kubectl(*args, "--output=json"))


def names(cluster: ControlPlane, *args: str) -> list[str]:
    return cluster.kubectl(*args, "--output=name").split()


def test_the_fake_nodes_are_ready_with_their_capacity(cluster: ControlPlane) -> None:
    nodes = kubectl_json(cluster, "get", "nodes")["items"]
    assert sorted(node["metadata"]["name"] for node in nodes) == sorted(FAKE_NODES)
    for node in nodes:
        assert node["status"]["allocatable"] == {"cpu": "32", "memory": "256Gi", "pods": "110"}
        ready = [c for c in node["status"]["conditions"] if c["type"] == "Ready"]
        assert [c["status"] for c in ready] == ["True"]
        assert not node["spec"].get("taints")


async def test_a_deployment_becomes_available_with_running_pods_behind_its_service(
    cluster: ControlPlane,
) -> None:
    cluster.apply(WEB)
    cluster.kubectl("wait", "--for=condition=Available", "deployment/web", "--namespace=shop", WAIT)

    pods = kubectl_json(cluster, "get", "pods", "--namespace=shop", "--selector=app=web")["items"]
    assert len(pods) == 2
    assert {pod["status"]["phase"] for pod in pods} == {"Running"}
    assert {pod["spec"]["nodeName"] for pod in pods} <= set(FAKE_NODES)
    pod_ips = {pod["status"]["podIP"] for pod in pods}
    assert len(pod_ips) == 2

    # The endpoint slice controller catches up with the pods on its own schedule, one endpoint at a
    # time; `kubectl wait --for=jsonpath` on the second endpoint errors out while there is only one.
    async def ready_addresses() -> set[str] | None:
        slices = await asyncio.to_thread(
            kubectl_json,
            cluster,
            "get",
            "endpointslices",
            "--namespace=shop",
            "--selector=kubernetes.io/service-name=web",
        )
        ready = {
            address
            for endpoint_slice in slices["items"]
            for endpoint in endpoint_slice.get("endpoints") or []
            if endpoint["conditions"].get("ready")
            for address in endpoint["addresses"]
        }
        return ready if len(ready) >= len(pod_ips) else None

    assert await eventually(ready_addresses, "both pods ready behind service web", within=90) == pod_ips


def test_a_job_completes(cluster: ControlPlane) -> None:
    cluster.apply(MIGRATE)
    cluster.kubectl("wait", "--for=condition=Complete", "job/migrate", "--namespace=batch", WAIT)

    job = kubectl_json(cluster, "get", "job", "migrate", "--namespace=batch")
    assert job["status"]["succeeded"] == 1
    [pod] = kubectl_json(cluster, "get", "pods", "--namespace=batch", "--selector=job-name=migrate")["items"]
    assert pod["status"]["phase"] == "Succeeded"


def test_a_stateful_set_gets_a_bound_volume_from_the_default_storage_class(cluster: ControlPlane) -> None:
    cluster.apply(DATABASE)
    cluster.kubectl("rollout", "status", "statefulset/db", "--namespace=data", WAIT)

    claim = kubectl_json(cluster, "get", "persistentvolumeclaim", "data-db-0", "--namespace=data")
    assert claim["status"]["phase"] == "Bound"
    assert claim["spec"]["storageClassName"] == "kwok-volume"


def test_a_horizontal_pod_autoscaler_keeps_its_deployment_at_the_minimum(cluster: ControlPlane) -> None:
    cluster.apply(SCALED)
    # No metrics API here: the autoscaler only enforces its bounds, which is what a chart's HPA needs.
    cluster.kubectl(
        "wait",
        "--for=jsonpath={.status.availableReplicas}=3",
        "deployment/worker",
        "--namespace=scaled",
        WAIT,
    )
    assert kubectl_json(cluster, "get", "deployment", "worker", "--namespace=scaled")["spec"]["replicas"] == 3


@pytest.fixture
def chart(tmp_path: Path) -> Path:
    chart = tmp_path / "tiny"
    for name, text in CHART_FILES.items():
        (chart / name).parent.mkdir(parents=True, exist_ok=True)
        (chart / name).write_text(text)
    return chart


async def test_helm_install_waits_for_the_release_and_uninstall_leaves_nothing_behind(
    cluster: ControlPlane, chart: Path
) -> None:
    release = ("--namespace=tiny", "--selector=app.kubernetes.io/instance=tiny")

    cluster.helm(
        "install", "tiny", str(chart), "--namespace=tiny", "--create-namespace", "--wait", "--wait-for-jobs"
    )

    status = json.loads(cluster.helm("status", "tiny", "--namespace=tiny", "--output=json"))
    assert status["info"]["status"] == "deployed"
    deployment = kubectl_json(cluster, "get", "deployment", "tiny-api", "--namespace=tiny")
    assert deployment["status"]["availableReplicas"] == 2
    job = kubectl_json(cluster, "get", "job", "tiny-migrate", "--namespace=tiny")
    assert job["status"]["succeeded"] == 1

    # The disruption controller counts healthy pods on its own schedule, after helm has seen them ready.
    async def healthy_pods() -> int | None:
        pdb = await asyncio.to_thread(
            kubectl_json, cluster, "get", "poddisruptionbudget", "tiny-api", "--namespace=tiny"
        )
        healthy: int = pdb.get("status", {}).get("currentHealthy", 0)
        return healthy if healthy >= 2 else None

    assert await eventually(healthy_pods, "the PodDisruptionBudget to count the API's pods", within=60) == 2

    cluster.helm("uninstall", "tiny", "--namespace=tiny", "--wait", "--timeout=2m")

    assert cluster.helm("list", "--all", "--namespace=tiny", "--short").strip() == ""
    # Pods go last: the garbage collector deletes them after their ReplicaSet and Job are gone.
    cluster.kubectl("wait", "--for=delete", "pods", *release, WAIT)
    assert names(cluster, "get", RELEASE_KINDS, *release) == []


def test_helm_install_wait_fails_when_the_pods_cannot_be_scheduled(
    cluster: ControlPlane, chart: Path
) -> None:
    with pytest.raises(KubectlError, match="context deadline exceeded"):
        cluster.helm(
            "install", "stuck", str(chart), "--namespace=stuck", "--create-namespace",
            "--set=nodeSelector.disk=none", "--wait", "--timeout=5s",
        )  # fmt: skip
    pods = kubectl_json(cluster, "get", "pods", "--namespace=stuck", "--selector=role=api")["items"]
    assert [pod["status"]["phase"] for pod in pods] == ["Pending", "Pending"]
    cluster.helm("uninstall", "stuck", "--namespace=stuck", "--wait")
