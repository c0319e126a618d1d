"""Every service has one shape, and its imports read one way: api/messaging -> service -> domain + store.

Read from the source, not run: a module of the wrong layer importing another fails here before it
ever ships. The layers and what each may not import are the table below; the README's map says the
same in words.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = sorted(path.name for path in (ROOT / "services").iterdir() if (path / "pyproject.toml").is_file())

# Every service has these; `messaging` only where it consumes Kafka, `adapters` only where it talks to
# something outside its database and Kafka.
REQUIRED = ("app.py", "settings.py", "api", "domain", "service/context.py", "store")
OPTIONAL_LAYERS = ("messaging", "adapters")

# The service's own layers a layer must not import.
FORBIDDEN_LAYERS = {
    "api": {"store", "adapters", "messaging"},
    "messaging": {"store", "adapters", "api"},
    "service": {"api", "messaging"},
    "store": {"api", "messaging", "service", "adapters"},
    "adapters": {"api", "messaging", "service", "store"},
    "domain": {"api", "messaging", "service", "store", "adapters"},
}
# The rules may know only the standard library, their own kind and the framework-free shared libraries.
DOMAIN_MAY_IMPORT = (
    "tickethub.kernel",
    "tickethub.contracts",
    "tickethub.web.problems",
    "tickethub.auth.identity",
)
FRAMEWORKS = (
    "litestar",
    "piccolo",
    "faststream",
    "redis",
    "asyncpg",
    "aiokafka",
    "httpx",
    "aiosmtplib",
    "limits",
)


def package_of(service: str) -> Path:
    return ROOT / "services" / service / "src" / service


def imports(module: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(module.read_text(), filename=str(module))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def layer_modules(service: str, layer: str) -> list[Path]:
    return sorted((package_of(service) / layer).rglob("*.py"))


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_has_the_same_homes(service: str) -> None:
    package = package_of(service)
    assert [home for home in REQUIRED if not (package / home).exists()] == []
    homes = {path.name for path in package.iterdir() if path.is_dir() and path.name != "__pycache__"}
    assert homes <= {*FORBIDDEN_LAYERS, *OPTIONAL_LAYERS}, "a folder no other service has"


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("layer", sorted(FORBIDDEN_LAYERS))
def test_a_layer_imports_only_what_the_flow_allows(service: str, layer: str) -> None:
    forbidden = {f"{service}.{other}" for other in FORBIDDEN_LAYERS[layer]}
    wrong = [
        f"{module.relative_to(ROOT)} imports {name}"
        for module in layer_modules(service, layer)
        for name in imports(module)
        if any(name == prefix or name.startswith(prefix + ".") for prefix in forbidden)
    ]
    assert wrong == []


@pytest.mark.parametrize("service", SERVICES)
def test_the_domain_knows_no_framework_database_or_broker(service: str) -> None:
    wrong = [
        f"{module.relative_to(ROOT)} imports {name}"
        for module in layer_modules(service, "domain")
        for name in imports(module)
        if name.split(".")[0] in FRAMEWORKS
        or (name.startswith("tickethub.") and not name.startswith(DOMAIN_MAY_IMPORT))
    ]
    assert wrong == []


def test_the_rules_catch_a_wrong_import(tmp_path: Path) -> None:
    module = tmp_path / "controllers.py"
    module.write_text("from booking.store.bookings import BookingStore\nimport litestar\n")
    assert list(imports(module)) == ["booking.store.bookings", "litestar"]
