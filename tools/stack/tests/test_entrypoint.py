"""The generated entrypoint configuration: what the services behind it may trust."""

from pathlib import Path

from tickethub.stack.entrypoint import render_nginx_config
from tickethub.stack.routes import load_routes


def test_the_client_address_forwarded_is_the_peers_never_the_clients_claim(tmp_path: Path) -> None:
    config = render_nginx_config(
        port=8080, routes=load_routes(), upstreams={"users": 18101}, run_dir=tmp_path
    )
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in config
    assert "$proxy_add_x_forwarded_for" not in config  # would pass on whatever the client sent
