"""The client's address, once, for everything after it: the lockout (axes), the rate limits,
the login history.

Behind proxies listed in TRUSTED_PROXIES (addresses or networks) each proxy appends the address
it received the request from to X-Forwarded-For (nginx: `proxy_add_x_forwarded_for`). Walking
that list from the right, past the trusted proxies, the first address is the client: anything
further left was written by the client and can be anything. A request that does not come from
a trusted proxy is taken at its word: REMOTE_ADDR, and its X-Forwarded-For and
X-Forwarded-Proto are dropped. IPv4 seen as IPv6 (`::ffff:192.0.2.1`, a dual-stack listener) is
plain IPv4.
"""

import ipaddress
from functools import cache

import structlog
from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@cache
def _trusted(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _is_trusted(address: IPAddress | None) -> bool:
    trusted = _trusted(tuple(settings.TRUSTED_PROXIES))
    return address is not None and any(address in network for network in trusted)


def _parse(text: str) -> IPAddress | None:
    """An address as a header or a socket gives it: `192.0.2.1`, `192.0.2.1:4711`,
    `[2001:db8::1]:4711`, `::ffff:192.0.2.1`."""
    text = text.strip()
    if text.startswith("["):  # [IPv6]:port
        text = text[1 : text.find("]")]
    elif text.count(":") == 1:  # IPv4:port
        text = text.split(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def parse_address(text: str) -> IPAddress | None:
    """An address as a header or a socket gives it, or None when it is none."""
    return _parse(text)


def client_address(meta) -> str:
    peer = _parse(meta.get("REMOTE_ADDR", ""))
    if peer is None:
        return meta.get("REMOTE_ADDR", "")
    if not _is_trusted(peer):
        return str(peer)
    hops = [_parse(hop) for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if hop is None:
            break  # not what a proxy writes: nothing further left can be trusted
        if not _is_trusted(hop):
            return str(hop)
    return str(peer)


def lockout_key(request) -> str:
    """The address the lockout counts by (AXES_CLIENT_IP_CALLABLE): IPv6 by its /64, which one
    subscriber usually holds whole, as django-ratelimit counts it."""
    address = _parse(request.META.get("REMOTE_ADDR") or "")
    if address is None:  # e.g. a test's login without a request from anywhere
        return request.META.get("REMOTE_ADDR") or ""
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


class ClientAddressMiddleware:
    """First in the chain: REMOTE_ADDR becomes the client's address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        address = client_address(meta)
        if not _is_trusted(_parse(meta.get("REMOTE_ADDR", ""))):
            # Only a trusted proxy may say what the client's scheme was, and give the request
            # the id its own log lines carry.
            meta.pop("HTTP_X_FORWARDED_PROTO", None)
            meta.pop("HTTP_X_REQUEST_ID", None)
        meta.pop("HTTP_X_FORWARDED_FOR", None)
        meta["REMOTE_ADDR"] = address
        return self.get_response(request)


def bind_request_to_logs(sender, request, **kwargs) -> None:
    """Every log line of a request carries the client's address as ClientAddressMiddleware
    found it (django-structlog's own lookup would look at the headers a second time). Django
    logs a 4xx/5xx answer after the middleware, when the request's context is gone again: the
    request keeps it for those lines (zlogin.logformat.request_context)."""
    structlog.contextvars.bind_contextvars(ip=request.META.get("REMOTE_ADDR"))
    request.log_context = structlog.contextvars.get_contextvars()
