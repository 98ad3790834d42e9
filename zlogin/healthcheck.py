"""The container's health check (Dockerfile HEALTHCHECK, compose's web service), run as a file:
`python zlogin/healthcheck.py`. Asks this host's gunicorn for /health/ready over loopback, with
the first of ALLOWED_HOSTS as the Host header and the port of WEB_BIND; exits 0 when it is 200.
Standard library only: it must not load Django (seconds) every 30 seconds."""

import http.client
import os
import sys

TIMEOUT_SECONDS = 10  # above /health/ready's worst case (about 9 s)


def host_name() -> str:
    names = [name.strip().lstrip(".") for name in os.environ.get("ALLOWED_HOSTS", "").split(",")]
    return next((name for name in names if name and "*" not in name), "localhost")


def port() -> int:
    return int(os.environ.get("WEB_BIND", "0.0.0.0:8000").rsplit(":", 1)[-1])


def main() -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port(), timeout=TIMEOUT_SECONDS)
    try:
        connection.request("GET", "/health/ready", headers={"Host": host_name()})
        response = connection.getresponse()
        print(response.status, response.read(500).decode(errors="replace"))
    except OSError as error:
        print(f"/health/ready: {error}")
        return 1
    finally:
        connection.close()
    return 0 if response.status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
