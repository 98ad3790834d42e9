"""Chromium for the browser tests (Playwright driving Debian's Chromium) and the second
factor's codes as an authenticator app computes them."""

import base64
import os
import shutil
import subprocess
from contextlib import contextmanager

import pyotp

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def launch_chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def totp_now(hex_key: str) -> str:
    """The current code, computed by a second client (pyotp) from the device's key."""
    return pyotp.TOTP(base64.b32encode(bytes.fromhex(hex_key)).decode()).now()


def oathtool_code(base32_secret: str) -> str:
    """The code as `oathtool --totp` computes it from the secret a person types into an app:
    an independent TOTP implementation (README.md gives this command for the demo logins)."""
    return subprocess.check_output(
        ["oathtool", "--totp", "--base32", base32_secret], text=True
    ).strip()
