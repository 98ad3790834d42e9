from celery import shared_task

from . import mail


@shared_task(autoretry_for=(OSError,), max_retries=3, retry_backoff=30)
def announce_berichten(bericht_ids: list[int]) -> int:
    """E-mail the beheerders that berichten are waiting; berichten announced before are skipped."""
    return mail.announce(bericht_ids)
