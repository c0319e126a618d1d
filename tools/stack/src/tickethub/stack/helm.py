"""`helm template` with the pinned Helm: how every check and tool here renders a chart into objects."""

import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from tickethub.stack import install

_TIMEOUT_SECONDS = 120


class HelmError(Exception):
    """Helm refused to render; the message is Helm's own."""


def helm_template(
    chart: Path | str,
    *,
    release: str = "tickethub",
    namespace: str | None = None,
    values: Sequence[Path | str] = (),
    settings: Sequence[str] = (),
    options: Sequence[str] = (),
    cwd: Path | None = None,
) -> str:
    """The manifests `helm template` renders; `settings` are `--set` key=value pairs, `options` any
    other flags (`--include-crds`, `--show-only ...`, `--api-versions ...`)."""
    command = [str(install.ensure_helm()), "template", release, str(chart)]
    if namespace is not None:
        command += ["--namespace", namespace]
    command += [f"--values={file}" for file in values]
    command += [f"--set={setting}" for setting in settings]
    rendered = subprocess.run(
        [*command, *options], cwd=cwd, capture_output=True, text=True, check=False, timeout=_TIMEOUT_SECONDS
    )
    if rendered.returncode != 0:
        raise HelmError(rendered.stderr.strip())
    return rendered.stdout


def objects(manifests: str) -> list[dict[str, Any]]:
    """The objects of a multi-document YAML stream (empty documents dropped)."""
    return [document for document in yaml.safe_load_all(manifests) if document]
