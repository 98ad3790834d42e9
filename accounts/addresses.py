"""The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address the
outermost of them saw.

Each trusted proxy appends the address it received the request from to X-Forwarded-For
(nginx: `proxy_add_x_forwarded_for`), so with N proxies the client is the N-th entry from the
right. Everything to the left of it was sent by the client and can be anything; without
trusted proxies the header is ignored altogether.
"""

import ipaddress

from django.conf import settings


def client_address(meta) -> str:
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= proxies and _is_address(hops[-proxies]):
            return hops[-proxies]
    return meta.get("REMOTE_ADDR", "")


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


class ClientAddressMiddleware:
    """First in the chain: REMOTE_ADDR becomes the client's address, for the lockout (axes),
    the rate limits and the login history alike."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META["REMOTE_ADDR"] = client_address(request.META)
        return self.get_response(request)
