"""Browser tests: Playwright drives Debian's Chromium against the live test server."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import launch_chromium, totp_now

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

# As long as the pages' own timeout (10 s): on a busy machine a page can take longer than
# Playwright's default of 5 s to show what a test expects.
expect.set_options(timeout=10_000)


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def catalogue(transactional_db):
    """Browser tests run in transactions that are flushed afterwards, which removes the
    catalogue the data migration loaded: load it again for each test."""
    from catalogue.loading import load_catalogue
    from catalogue.models import Dienst, Dienstverlener

    load_catalogue(Dienstverlener, Dienst)


# Closed after the browser tests: while Playwright runs, its event loop is the thread's, and
# Django's async views (/health/ready) cannot be called in that thread by later tests.
@pytest.fixture(scope="package")
def browser():
    with launch_chromium() as browser:
        yield browser


@pytest.fixture
def page(browser, live_server, settings):
    settings.PORTAL_BASE_URL = live_server.url  # links in mail lead to this server
    context = browser.new_context(base_url=live_server.url, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(10_000)
    # Every page of every browser test also checks the Content-Security-Policy: nothing the
    # portal itself serves may be refused by it.
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(f"{page.url}: {message.text[:120]}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    context.close()
    assert refused == [], refused


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot under test-artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def log_in_on(page, username: str, password: str, device) -> None:
    """Log in through the real two-step form in `page`: password, then the TOTP code."""
    page.goto("/inloggen/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord", exact=True).fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_label("Code").fill(totp_now(device.key))
    page.get_by_role("button", name="Bevestig code").click()


@pytest.fixture
def log_in(page):
    """log_in_on for the test's page."""

    def do(username: str, password: str, device) -> None:
        log_in_on(page, username, password, device)

    return do


@pytest.fixture
def pietersen():
    """A.B.M. Pietersen, beheerder of Pietersen Administratie B.V., with colleagues at EH3,
    EH2 and with a Belastingdienst-only middel. Returns the beheerder's user."""
    from accounts.constants import EHNiveau
    from tests.factories import (
        BeheerderFactory,
        MembershipFactory,
        OrganisationFactory,
        UserFactory,
    )

    user = UserFactory(
        username="a.pietersen", initials="A.B.M.", last_name="Pietersen", with_totp_device=True
    )
    organisation = OrganisationFactory(name="Pietersen Administratie B.V.", intermediair=True)
    BeheerderFactory(user=user, organisation=organisation)
    for initials, tussenvoegsel, last_name, extra in [
        ("S.", "de", "Jong", {}),
        ("K.", "", "Laag", {"eh_niveau": EHNiveau.EH2}),
        ("L.", "", "Smit", {"belastingdienst_only": True}),
    ]:
        MembershipFactory(
            organisation=organisation,
            user=UserFactory(initials=initials, tussenvoegsel=tussenvoegsel, last_name=last_name),
            **extra,
        )
    return user


@pytest.fixture
def fiscalisten_and_zet(pietersen):
    """The groep Fiscalisten of Pietersen's organisation, and ZET solutions B.V. in the company
    register."""
    from ketenmachtigingen.models import RegisterEntry
    from tests.factories import GroepFactory

    organisation = pietersen.memberships.get().organisation
    GroepFactory(organisation=organisation, name="Fiscalisten", algemene_bevoegdheid=True)
    RegisterEntry.objects.create(
        kvk_nummer="39078749",
        rsin="800000006",
        name="ZET solutions B.V.",
        straat="Albert Einsteinweg",
        huisnummer="4",
        postcode="8218NH",
        plaats="Lelystad",
    )
