"""What buyers read: their own payments."""

from payment.domain.payments import PaymentRecord
from payment.service.context import PaymentContext


async def payments_of(
    context: PaymentContext, user_id: str, *, limit: int, offset: int
) -> tuple[list[PaymentRecord], int]:
    """The caller's payments, newest first, and how many there are in all."""
    return await context.payments.list_for_user(user_id, limit=limit, offset=offset)
