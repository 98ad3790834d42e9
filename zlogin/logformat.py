"""The log line formats shared by the portal (zlogin/settings.py, LOGGING) and gunicorn
(gunicorn.conf.py, whose master process never loads Django): one line per event, timestamps in
UTC ISO 8601, JSON (`timestamp`, `level`, `logger`, `event` and the event's fields) or readable
lines. Django-free on purpose."""

import structlog

# What every line gets, from structlog and from the standard library's loggers alike.
PROCESSORS: list[structlog.typing.Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def request_context(_logger, _method, event_dict):
    """A line a library logs about a request after the request's context was cleared (Django's
    "Service Unavailable: /health/ready" comes after the middleware) takes the context the
    request kept (accounts.addresses): its request_id and the client's address."""
    record = event_dict.get("_record")
    context = getattr(getattr(record, "request", None), "log_context", None)
    if isinstance(context, dict):
        for key, value in context.items():
            event_dict.setdefault(key, value)
    return event_dict


def formatters(*, json_extra=(), plain_extra=(), pass_foreign_args=False) -> dict:
    """The logging.config formatters "json" and "plain"; `*_extra` are processors run after
    PROCESSORS on lines from the standard library's loggers."""
    return {
        "json": {
            "()": structlog.stdlib.ProcessorFormatter,
            "processors": [
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                structlog.processors.JSONRenderer(),
            ],
            "foreign_pre_chain": [*PROCESSORS, request_context, *json_extra],
            "pass_foreign_args": pass_foreign_args,
        },
        "plain": {
            "()": structlog.stdlib.ProcessorFormatter,
            "processors": [
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.dev.ConsoleRenderer(colors=False, pad_event_to=0),
            ],
            "foreign_pre_chain": [*PROCESSORS, request_context, *plain_extra],
            "pass_foreign_args": pass_foreign_args,
        },
    }
