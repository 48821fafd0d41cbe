"""Errors particular to couriers, shifts and deliveries, each with a stable `code`."""

from __future__ import annotations

from hyperlocal.errors import Conflict, DomainError, InvalidInput, NotAllowed, NotFound


class NotACourier(NotAllowed):
    """The signed-in user has no courier profile."""

    def __init__(self, message: str = "only couriers can do this") -> None:
        super().__init__(message, code="not_a_courier")


class NoShiftNow(Conflict):
    """Clocking in without a shift that covers the moment."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="no_shift_now")


class NotOnYourRoute(NotFound):
    """A shipment the courier does not carry (or does not exist): 404 either way, so that
    nobody learns about other couriers' shipments."""

    def __init__(self, message: str = "this shipment is not on your route") -> None:
        super().__init__(message, field="shipment", code="not_on_your_route")


class WrongProofCode(InvalidInput):
    def __init__(self, left: int | None = None) -> None:
        tries = "" if left is None else f" ({left} {'try' if left == 1 else 'tries'} left)"
        super().__init__(
            f"the proof code does not match: ask the customer for the code on their order page{tries}",
            field="proof_code",
            code="wrong_proof_code",
        )


class ProofCodeLocked(Conflict):
    """Too many proof codes tried on one shipment: guessing stops here."""

    def __init__(self) -> None:
        super().__init__(
            "too many wrong proof codes for this shipment: deliver with a photo of the handover, "
            "or call your hub to reset the code tries",
            field="proof_code",
            code="proof_code_locked",
        )


class RoundUnavailable(DomainError):
    """The travel-time model (an OSRM server) did not answer: the round changed nothing."""

    status_code = 503

    def __init__(self, message: str) -> None:
        super().__init__(message, code="round_unavailable")
