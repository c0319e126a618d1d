"""HTTP endpoints of payment: the caller's payments."""

from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency

from payment.api.dto import PaymentPage, PaymentView
from payment.service import reading
from payment.service.context import PaymentContext
from tickethub.auth import Identity
from tickethub.web.errors import problem_responses
from tickethub.web.pagination import Limit, Offset


class PaymentController(Controller):
    path = "/payments"
    tags = ["payments"]

    @get(
        "/",
        summary="The caller's payments, newest first",
        description="Charges and refunds of the caller's bookings, paginated with `limit` and `offset`.",
        responses=problem_responses(400, 401, 422),
    )
    async def list_mine(
        self,
        request: Request[Identity, Any, Any],
        context: NamedDependency[PaymentContext],
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> PaymentPage:
        records, total = await reading.payments_of(context, request.user.subject, limit=limit, offset=offset)
        return PaymentPage(
            items=[PaymentView.of(r) for r in records], total=total, limit=limit, offset=offset
        )
