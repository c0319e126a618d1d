"""Password hashing: Argon2id, a stand-in hash for unknown accounts, upgrades of weaker hashes."""

import pytest
from argon2 import PasswordHasher

from users.adapters.passwords import PasswordHashing

# Cheap parameters keep the unit tests fast; production uses argon2-cffi's RFC 9106 defaults.
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture
def hashing() -> PasswordHashing:
    return PasswordHashing(CHEAP)


async def test_a_hash_is_argon2id_and_verifies_only_its_password(hashing: PasswordHashing) -> None:
    password_hash = await hashing.hash("correct horse")
    assert password_hash.startswith("$argon2id$")
    assert "correct horse" not in password_hash
    assert await hashing.verify(password_hash, "correct horse")
    assert not await hashing.verify(password_hash, "wrong horse")


async def test_an_unknown_account_never_verifies(hashing: PasswordHashing) -> None:
    stand_in = await hashing.prepare()
    assert stand_in.startswith("$argon2id$")
    assert not await hashing.verify(None, "anything at all")


async def test_a_corrupt_stored_hash_does_not_verify(hashing: PasswordHashing) -> None:
    assert not await hashing.verify("not-a-hash", "password")


async def test_hashes_made_with_weaker_parameters_need_a_rehash(hashing: PasswordHashing) -> None:
    weaker = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1).hash("password")
    assert hashing.needs_rehash(weaker)
    assert not hashing.needs_rehash(await hashing.hash("password"))
