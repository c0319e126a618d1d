"""What users' use cases work with, built once by the app factory."""

from collections.abc import Mapping
from dataclasses import dataclass

from tickethub.kernel import Clock, utc_now
from tickethub.web.health import ReadinessCheck
from users.adapters.login_limits import LoginThrottle
from users.adapters.passwords import PasswordHashing
from users.adapters.signing_keys import SigningKeys
from users.domain.clients import MachineClients
from users.domain.tokens import TokenPolicy
from users.settings import Settings
from users.store.accounts import AccountStore


@dataclass(frozen=True, slots=True)
class UsersContext:
    accounts: AccountStore
    passwords: PasswordHashing
    signing_keys: SigningKeys
    login_throttle: LoginThrottle
    token_policy: TokenPolicy
    machine_clients: MachineClients
    status_checks: Mapping[str, ReadinessCheck]  # what /users/status reports: the database and Redis
    settings: Settings
    clock: Clock = utc_now
