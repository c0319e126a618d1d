"""`python -m tickethub.stack up|down|clean|status|urls|install`: the local stack (behind `make up`)."""

import argparse
import shutil
import sys

from tickethub.stack import install
from tickethub.stack.infrastructure import InfrastructureServers
from tickethub.stack.local import Stack, default_stack


def _print_urls(stack: Stack) -> None:
    width = max(len(name) for name in stack.urls())
    for name, url in stack.urls().items():
        print(f"  {name:<{width}}  {url}")
    print(f"  {'admin':<{width}}  {stack.admin_email} (password: {stack.admin_password})")
    print("  stop with `make down`; wipe all data with `make clean`")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tickethub.stack", description=__doc__)
    parser.add_argument("command", choices=["up", "down", "clean", "status", "urls", "install"])
    command = parser.parse_args().command
    if command == "install":
        InfrastructureServers.install()
        install.ensure_jaeger()  # the chart's trace store, in the dev dependencies' images
        install.ensure_kubernetes()
        install.ensure_helm()
        install.ensure_kubeconform()
        install.ensure_kwok()
        install.ensure_kind()
        install.ensure_service_monitor_crd()
        return
    stack = default_stack()
    if command == "up":
        if stack.is_running():
            print("TicketHub is already running:")
        else:
            try:
                stack.up()
            except Exception as exc:
                print(
                    f"[up] failed: {exc}\n"
                    f"[up] logs are in {stack.state_dir}; `make down` stops what did start",
                    file=sys.stderr,
                )
                sys.exit(1)
            print("TicketHub is up:")
        _print_urls(stack)
    elif command in ("down", "clean"):
        stack.down()
        if command == "clean":
            shutil.rmtree(stack.state_dir, ignore_errors=True)
        print(f"TicketHub {'stopped' if command == 'down' else 'stopped and its data wiped'}.")
    elif command == "status":
        for server in stack.all_servers():
            print(f"  {server.name:<24} {'running' if server.is_running() else 'stopped'}")
    else:
        _print_urls(stack)


if __name__ == "__main__":
    main()
