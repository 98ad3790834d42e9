"""The login form as a browser without JavaScript posts it: the password, then the code."""

import base64

import pyotp

from tests.factories import DEFAULT_PASSWORD

LOGIN = "/inloggen/"
PREFIX = "portal_login_view"


def code_for(device) -> str:
    """The current code, made by a second TOTP client (pyotp) from the device's secret."""
    return pyotp.TOTP(base64.b32encode(device.bin_key).decode()).now()


def post_password(client, username, password=DEFAULT_PASSWORD):
    return client.post(
        LOGIN,
        {
            f"{PREFIX}-current_step": "auth",
            "auth-username": username,
            "auth-password": password,
        },
    )


def post_code(client, code):
    return client.post(LOGIN, {f"{PREFIX}-current_step": "token", "token-otp_token": code})
