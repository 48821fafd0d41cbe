"""check_ledger: rebuild every kept balance from the transfers and report what disagrees."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import F, Q, Sum

from hyperlocal.wallet.models import AccountShard, LedgerAccount, Transfer, TransferState

Columns = list[int]  # debits_pending, debits_posted, credits_pending, credits_posted


@dataclass(frozen=True)
class Problem:
    """One disagreement: `account` is a code ("" for the whole ledger), `shard_no` None when
    it is not about one shard."""

    account: str
    shard_no: int | None
    message: str


# state -> (pending delta per amount, posted delta per amount, pending delta per pending amount)
_EFFECT = {
    TransferState.POSTED: (0, 1, 0),
    TransferState.PENDING: (1, 0, 0),
    TransferState.POSTING: (0, 1, -1),
    TransferState.VOIDED: (0, 0, -1),
    TransferState.EXPIRED: (0, 0, -1),
}


def _expected() -> dict[tuple[int, int], Columns]:
    expected: dict[tuple[int, int], Columns] = defaultdict(lambda: [0, 0, 0, 0])
    for side, offset in (("debit", 0), ("credit", 2)):
        rows = Transfer.objects.values(f"{side}_account_id", f"{side}_shard", "state").annotate(
            total=Sum("amount"), held=Sum("pending__amount")
        )
        for r in rows:
            on_pending, on_posted, on_held = _EFFECT[TransferState(r["state"])]
            cols = expected[(r[f"{side}_account_id"], r[f"{side}_shard"])]
            cols[offset] += on_pending * r["total"] + on_held * (r["held"] or 0)
            cols[offset + 1] += on_posted * r["total"]
    return expected


def check_ledger() -> list[Problem]:
    """Every shard equals what its transfers imply, every account has its shards, total
    debits equal total credits, no limit is broken, every finishing transfer matches its
    pending one. [] when the ledger is sound. A few aggregate queries."""
    problems: list[Problem] = []
    codes = dict(LedgerAccount.objects.values_list("id", "code"))
    expected = _expected()
    totals = [0, 0, 0, 0]
    counts: dict[int, int] = defaultdict(int)
    for shard in AccountShard.objects.select_related("account").order_by("account_id", "shard_no"):
        kept = [shard.debits_pending, shard.debits_posted, shard.credits_pending, shard.credits_posted]
        totals = [a + b for a, b in zip(totals, kept, strict=True)]
        counts[shard.account_id] += 1
        code = codes[shard.account_id]
        rebuilt = expected.pop((shard.account_id, shard.shard_no), [0, 0, 0, 0])
        if kept != rebuilt:
            problems.append(Problem(code, shard.shard_no, f"kept {kept} but transfers give {rebuilt}"))
        if shard.debits_must_not_exceed_credits and kept[0] + kept[1] > kept[3]:
            problems.append(Problem(code, shard.shard_no, "debits exceed credits"))
        if shard.credits_must_not_exceed_debits and kept[2] + kept[3] > kept[1]:
            problems.append(Problem(code, shard.shard_no, "credits exceed debits"))
        if (shard.debits_must_not_exceed_credits, shard.credits_must_not_exceed_debits) != (
            shard.account.debits_must_not_exceed_credits,
            shard.account.credits_must_not_exceed_debits,
        ):
            problems.append(Problem(code, shard.shard_no, "flags differ from the account's"))
    for (account_id, shard_no), cols in sorted(expected.items()):
        problems.append(Problem(codes.get(account_id, str(account_id)), shard_no, f"no shard row for {cols}"))
    for account in LedgerAccount.objects.all():
        if counts[account.pk] != account.shards:
            problems.append(
                Problem(account.code, None, f"{counts[account.pk]} shard rows, {account.shards} expected")
            )
    if totals[1] != totals[3]:
        problems.append(Problem("", None, f"debits posted {totals[1]} != credits posted {totals[3]}"))
    if totals[0] != totals[2]:
        problems.append(Problem("", None, f"debits pending {totals[0]} != credits pending {totals[2]}"))
    mismatched = Transfer.objects.filter(pending__isnull=False).filter(
        ~Q(debit_account=F("pending__debit_account"))
        | ~Q(credit_account=F("pending__credit_account"))
        | ~Q(debit_shard=F("pending__debit_shard"))
        | ~Q(credit_shard=F("pending__credit_shard"))
        | Q(amount__gt=F("pending__amount"))
        | ~Q(pending__state=TransferState.PENDING)
    )
    for t in mismatched.values_list("id", flat=True):
        problems.append(Problem("", None, f"transfer {t!r} does not match the pending transfer it finishes"))
    return problems
