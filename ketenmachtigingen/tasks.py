"""Celery tasks: thin, take ids, idempotent. The work lives in services and modules."""

import smtplib

from celery import Task, shared_task, states

from .services.invitations import deliver_invitation, fail_invitation


class InvitationTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        """The mail could not be sent, not even after the retries: the ketenmachtiging
        becomes Fout, with the error as reason."""
        ketenmachtiging_id = args[0] if args else kwargs["ketenmachtiging_id"]
        fail_invitation(ketenmachtiging_id, error=f"{type(exc).__name__}: {exc}")

    def apply(self, args=None, kwargs=None, **options):
        """Eager mode (tests, the embedded default) as on a worker: the retries, at once, and
        on_failure after the last one.

        With task_eager_propagates Celery raises the first Retry to the caller instead of
        retrying; so run without propagation, then raise the final error if asked.
        """
        throw = options.pop("throw", None)
        if throw is None:
            throw = self.app.conf.task_eager_propagates
        result = super().apply(args, kwargs, throw=False, **options)
        if throw and result.state == states.FAILURE:
            raise result.result
        return result


@shared_task(
    base=InvitationTask,
    # SMTPException is an OSError; both named for the reader. Refused connections, timeouts
    # and 4xx answers are usually over in minutes: up to 30 s, 60 s, 120 s (jittered).
    autoretry_for=(smtplib.SMTPException, OSError),
    max_retries=3,
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
)
def send_invitation(ketenmachtiging_id: int) -> bool:
    """Mail the invitation with the PDF form to the relatie's contact, once.

    Returns whether a mail went out: not when it was sent before or the request is no longer
    waiting for its form.
    """
    return deliver_invitation(ketenmachtiging_id)


@shared_task(name="ketenmachtigingen.tasks.run_nightly_jobs")
def run_nightly_jobs(only: list[str] | None = None) -> dict[str, int]:
    """The nightly jobs (beat, 02:15). Safe to run twice: a second run finds nothing to do."""
    from . import jobs

    return jobs.run_nightly_jobs(only=only)
