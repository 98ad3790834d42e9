"""Every write of the API: keys, and answering a check (the answer, its log row, last use)."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import Membership
from catalogue.models import Dienst
from ketenmachtigingen.models import Ketenmachtiging
from ketenmachtigingen.selectors import Decision, check_authorization_fast

from . import auth, checklog, reads, recent
from .constants import UNKNOWN_DIENST, UNKNOWN_PERSON
from .inputs import CheckInput
from .models import ApiClient, ApiKey
from .reads import relatie_field

__all__ = [
    "CheckAnswer",
    "answer_check",
    "create_api_key",
    "issue_api_key",
    "note_key_used",
    "revoke_api_key",
]

# --- keys ---------------------------------------------------------------------------------------


def issue_api_key(key: ApiKey) -> str:
    """Save a new (unsaved) key row with a fresh secret; returns the key, shown only now."""
    plain = auth.new_key()
    key.prefix = plain[: auth.SHOWN_LENGTH]
    key.key_hash = auth.hash_key(plain)
    key.save()
    return plain


def create_api_key(*, client: ApiClient, name: str = "") -> tuple[ApiKey, str]:
    """A new key for the client: the row, and the key itself, which is shown only now."""
    key = ApiKey(client=client, name=name)
    return key, issue_api_key(key)


def revoke_api_key(*, key: ApiKey) -> None:
    """From now on the key is refused. Revoking twice keeps the first moment."""
    ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    recent.keys.clear()  # this process at once; the others within API_LOOKUP_CACHE_SECONDS


def note_key_used(key: ApiKey, *, now: datetime.datetime | None = None) -> None:
    """Keep the key's last_used_at roughly current: one UPDATE per API_LAST_USED_INTERVAL."""
    now = now or timezone.now()
    if checklog.recently_used(key.last_used_at, now):
        return
    checklog.touch_last_used(ApiKey, key.pk, now)
    key.last_used_at = now


# --- the check ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckAnswer:
    allowed: bool
    reason: str | None  # None when allowed
    ketenmachtiging: Ketenmachtiging | None
    check_id: int


def answer_check(*, client: ApiClient, check: CheckInput, dienst: Dienst | None) -> CheckAnswer:
    """Ask the rule, log the answer, and note when a ketenmachtiging was last used.

    `dienst` is resolved by the caller (a 403 comes before anything else is read).
    """
    now = timezone.now()
    today = timezone.localdate(now)
    membership: Membership | None = None
    decision: Decision | None = None
    if dienst is None:
        reason = UNKNOWN_DIENST
    else:
        membership, rows = reads.current.middel_and_decision_rows(
            intermediair_kvk=check.intermediair_kvk,
            pseudonym=check.pseudonym,
            relatie_type=check.relatie_type,
            relatie_value=check.relatie_value,
            dienst=dienst,
            today=today,
        )
        if membership is None:
            reason = UNKNOWN_PERSON
        else:
            decision = check_authorization_fast(
                membership=membership,
                relatie_field=relatie_field(check.relatie_type),
                relatie_value=check.relatie_value,
                dienst=dienst,
                today=today,
                requested_niveau=check.loa,
                run_query=lambda **_inputs: rows,  # read with the middel, above
            )
            reason = decision.reason.value
    allowed = decision is not None and decision.allowed
    km = decision.ketenmachtiging if decision is not None else None
    check_id = checklog.writer.log(
        client_id=client.pk,
        intermediair_kvk=check.intermediair_kvk,
        pseudonym=check.pseudonym,
        relatie_type=check.relatie_type,
        relatie_value=check.relatie_value,
        dienst_identifier=check.dienst.raw,
        dienst_id=dienst.pk if dienst else None,
        loa=check.loa,
        allowed=allowed,
        reason=reason,
        ketenmachtiging_id=km.pk if km else None,
        created_at=now,
    )
    if allowed:
        assert km is not None  # an allowing Decision names its ketenmachtiging
        checklog.writer.used(km, now)
    return CheckAnswer(
        allowed=allowed, reason=None if allowed else reason, ketenmachtiging=km, check_id=check_id
    )
