"""Celery tasks: thin, take ids, idempotent. The work lives in services and modules."""

from celery import shared_task


@shared_task
def send_invitation(ketenmachtiging_id: int) -> None:
    """Mail the invitation with the PDF form to the relatie's contact."""
    raise NotImplementedError
