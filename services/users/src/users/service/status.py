"""The service's own status: whether its database and Redis answer, and which key signs new tokens."""

from dataclasses import dataclass

from tickethub.web.health import run_checks
from users.service.context import UsersContext


@dataclass(frozen=True, slots=True)
class ServiceHealth:
    checks: dict[str, str]  # per dependency: "ok", or why its check failed
    signing_key_id: str

    @property
    def healthy(self) -> bool:
        return all(result == "ok" for result in self.checks.values())

    @property
    def database_up(self) -> bool:
        return self.checks.get("postgres") == "ok"


async def service_health(context: UsersContext) -> ServiceHealth:
    return ServiceHealth(
        checks=await run_checks(context.status_checks), signing_key_id=context.signing_keys.key_id
    )
