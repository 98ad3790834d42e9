"""The API's views: thin. Stateless and CSRF-exempt; they never touch request.user or the
session, so the portal's (lazy) authentication and session middleware cost nothing here."""

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.csrf import csrf_exempt

from . import metrics, ratelimit, selectors, services
from .auth import AuthError, authenticate
from .docs import document
from .inputs import InvalidInput, parse_check, parse_list
from .models import ApiKey
from .schema import SCHEMA
from .selectors import resolve_dienst

NO_STORE = {"Cache-Control": "no-store"}

View = Callable[..., HttpResponse]


def _error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None, **extra: Any
) -> JsonResponse:
    return JsonResponse(
        {"error": code, "message": message, **extra},
        status=status,
        headers={**NO_STORE, **(headers or {})},
    )


def _invalid(exc: InvalidInput) -> JsonResponse:
    errors = [{"field": name, "message": text} for name, text in exc.errors]
    return _error(400, "invalid_request", exc.message, errors=errors)


def _forbidden() -> JsonResponse:
    return _error(
        403, "forbidden", "This client may only ask about diensten of its own dienstverleners."
    )


def allow_only(method: str) -> Callable[[View], View]:
    """Answer other methods with 405 (and an Allow header), in JSON; no CSRF: no cookies."""

    def decorate(view: View) -> View:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any) -> HttpResponse:
            if request.method != method:
                return _error(405, "method_not_allowed", f"Use {method}.", {"Allow": method})
            return view(request, *args)

        return wrapper

    return decorate


def api_endpoint(method: str) -> Callable[[View], View]:
    """One HTTP method, a valid key (401), within the client's rate (429); then the view."""

    def decorate(view: View) -> View:
        @allow_only(method)
        @functools.wraps(view)
        def wrapper(request: HttpRequest) -> HttpResponse:
            try:
                # META, not request.headers: that builds a dict of every header first.
                key = authenticate(request.META.get("HTTP_AUTHORIZATION"))
            except AuthError as exc:
                return _error(401, "unauthorized", exc.message, {"WWW-Authenticate": "Bearer"})
            wait = ratelimit.retry_after(key.client_id, settings.API_RATE_LIMIT_PER_MINUTE)
            if wait is not None:
                return _error(
                    429,
                    "rate_limited",
                    f"Rate limit of {settings.API_RATE_LIMIT_PER_MINUTE} requests per minute "
                    f"exceeded; retry after {wait} seconds.",
                    {"Retry-After": str(wait)},
                )
            services.note_key_used(key)
            return view(request, key)

        return wrapper

    return decorate


@api_endpoint("POST")
def check(request: HttpRequest, key: ApiKey) -> JsonResponse:
    try:
        check_input = parse_check(request.body)
    except RequestDataTooBig:
        return _invalid(InvalidInput([("body", "The body is too large.")]))
    except InvalidInput as exc:
        return _invalid(exc)
    dienst = resolve_dienst(check_input.dienst, client=key.client)
    if dienst is not None and not dienst.client_may_ask:  # type: ignore[attr-defined]
        return _forbidden()
    answer = services.answer_check(client=key.client, check=check_input, dienst=dienst)
    metrics.count_check(allowed=answer.allowed, reason=answer.reason)
    km = answer.ketenmachtiging
    return JsonResponse(
        {
            "allowed": answer.allowed,
            "reason": answer.reason,
            "ketenmachtiging": None if km is None else {"id": km.pk, "end_date": km.end_date},
            "check_id": answer.check_id,
        },
        headers=NO_STORE,
    )


@api_endpoint("GET")
def vertegenwoordigden(request: HttpRequest, key: ApiKey) -> JsonResponse:
    try:
        query = parse_list(request.GET)
    except TooManyFieldsSent:
        return _invalid(InvalidInput([("query", "Too many query parameters.")]))
    except InvalidInput as exc:
        return _invalid(exc)
    dienst = resolve_dienst(query.dienst, client=key.client)
    if dienst is not None and not dienst.client_may_ask:  # type: ignore[attr-defined]
        return _forbidden()
    results, has_next, reason = selectors.vertegenwoordigden(query, dienst=dienst)
    next_url = None
    if has_next:
        params = request.GET.copy()
        params["page"] = str(query.page + 1)
        next_url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
    return JsonResponse({"results": results, "next": next_url, "reason": reason}, headers=NO_STORE)


@allow_only("GET")
def health(request: HttpRequest) -> JsonResponse:
    """Liveness, and the benchmark's baseline: the same stack as a check, without the database."""
    return JsonResponse({"status": "ok"}, headers=NO_STORE)


@allow_only("GET")
def schema(request: HttpRequest) -> JsonResponse:
    return JsonResponse(SCHEMA)


@allow_only("GET")
def docs(request: HttpRequest) -> HttpResponse:
    # Rendered without the request: the portal's context processors would read the session.
    return HttpResponse(render_to_string("api/docs.html", {"doc": document(SCHEMA)}))
