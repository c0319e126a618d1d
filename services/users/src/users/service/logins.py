"""Logging in with e-mail and password, within the login limits; weaker password hashes are upgraded."""

from tickethub.kernel import new_id
from users.domain.accounts import WRONG_CREDENTIALS, InvalidCredentials, normalize_email
from users.domain.tokens import access_token_claims
from users.service.context import UsersContext
from users.service.tokens import IssuedToken, issue


async def log_in(context: UsersContext, address: str, email: str, password: str) -> IssuedToken:
    """An access token for the account; TooManyLoginAttempts when `address` (the client's) or the
    account is at its limit (no password is checked then), InvalidCredentials for a wrong e-mail or
    password alike."""
    normalized = normalize_email(email)
    await context.login_throttle.admit(address, normalized)
    stored = await context.accounts.find_credentials(normalized)
    # An unknown e-mail is checked against a stand-in hash: the same work, so the same timing.
    matches = await context.passwords.verify(stored.password_hash if stored else None, password)
    if stored is None or not matches:
        raise InvalidCredentials(WRONG_CREDENTIALS)
    await context.login_throttle.succeeded(normalized)
    if context.passwords.needs_rehash(stored.password_hash):  # hashed with weaker parameters than today's
        new_hash = await context.passwords.hash(password)
        await context.accounts.replace_password_hash(stored.account.id, stored.password_hash, new_hash)
    claims = access_token_claims(stored.account, context.token_policy, now=context.clock(), token_id=new_id())
    return issue(context, claims)
