"""The local stack's one entrypoint: nginx, configured from the shared path table.

nginx rather than a Python proxy so that the entrypoint adds no measurable latency to benchmarks,
and because the Ingress in a cluster is nginx-like too.
"""

import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from tickethub.stack import install, probes
from tickethub.stack.ports import LOOPBACK
from tickethub.stack.processes import Server
from tickethub.stack.routes import Route

INDEX_PAGE = "index.html"
_NOT_FOUND = json.dumps(
    {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "No TicketHub API serves this path.",
    }
)


@dataclass(frozen=True)
class Link:
    title: str
    url: str
    what: str


def render_index_page(links: Sequence[Link]) -> str:
    """The page a person gets at the entrypoint's `/`: where to look, each a link."""
    items = "\n".join(
        f'    <li><a href="{html.escape(link.url)}">{html.escape(link.title)}</a>: {html.escape(link.what)}'
        for link in links
    )
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>TicketHub</title>
  <style>
    body {{ font: 16px/1.5 system-ui, sans-serif; margin: 3rem auto; max-width: 46rem; padding: 0 1rem; }}
    li {{ margin: .4rem 0; }} a {{ font-weight: 600; }}
  </style>
</head>
<body>
  <h1>TicketHub</h1>
  <p>The API is served under this address (for example <code>GET /shows</code>). Where to look:</p>
  <ul>
{items}
  </ul>
</body>
</html>
"""


def render_nginx_config(
    *,
    port: int,
    routes: Sequence[Route],
    upstreams: Mapping[str, int],
    run_dir: Path,
) -> str:
    upstream_blocks = "".join(
        f"  upstream {name} {{ server {LOOPBACK}:{upstream_port}; keepalive 64; }}\n"
        for name, upstream_port in sorted(upstreams.items())
    )
    locations = "".join(
        f"    location = {route.prefix} {{ proxy_pass http://{route.service}; }}\n"
        f"    location {route.prefix}/ {{ proxy_pass http://{route.service}; }}\n"
        for route in routes
    )
    temp = "".join(
        f"  {kind}_temp_path {run_dir}/{kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""# Generated from charts/tickethub/files/routes.yaml by tickethub.stack; do not edit.
daemon off;
worker_processes 2;
pid {run_dir}/nginx.pid;
error_log {run_dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
{temp}  default_type application/json;
{upstream_blocks}  proxy_http_version 1.1;
  proxy_set_header Connection "";
  proxy_set_header Host $host;
  # The peer's address, never the client's own claim: services trust this header from us only.
  proxy_set_header X-Forwarded-For $remote_addr;
  proxy_set_header X-Forwarded-Proto $scheme;
  server {{
    listen {LOOPBACK}:{port};
{locations}    location = / {{
      default_type text/html;
      add_header X-Content-Type-Options nosniff;
      root {run_dir};
      try_files /{INDEX_PAGE} =404;
    }}
    location / {{ default_type application/problem+json; return 404 '{_NOT_FOUND}'; }}
  }}
}}
"""


class Entrypoint(Server):
    name = "entrypoint"

    def __init__(self, data_dir: Path, port: int, config: str, index_page: str) -> None:
        super().__init__(data_dir)
        self.port = port
        self.config = config
        self.index_page = index_page

    @property
    def ports(self) -> Sequence[int]:
        return [self.port]

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def _config_file(self) -> Path:
        return self.data_dir / "nginx.conf"

    def _prepare(self) -> None:
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.data_dir / kind).mkdir(parents=True, exist_ok=True)
        self._config_file.write_text(self.config)
        (self.data_dir / INDEX_PAGE).write_text(self.index_page)

    def _command(self) -> list[str]:
        nginx = install.ensure_debian_packages().nginx
        return [str(nginx), "-e", str(self.data_dir / "error.log"), "-c", str(self._config_file)]

    def _is_ready(self) -> bool:
        return probes.http_ok(self.url + "/")
