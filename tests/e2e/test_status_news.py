"""Status news in Chromium: the Wachtend tab tells status, sent date and days left without
opening a row; staff mark a request Fout with a reason in the admin, and the intermediair reads
the reason in the details and in a bericht."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from ketenmachtigingen import dates
from tests.factories import (
    DEFAULT_PASSWORD,
    BeheerderFactory,
    KetenmachtigingFactory,
    OrganisationFactory,
    UserFactory,
)

from .conftest import log_in_on

pytestmark = pytest.mark.django_db(transaction=True)

REASON = "Het formulier is ondertekend door iemand die niet <tekenbevoegd> is."
OVERVIEW = reverse("ketenmachtigingen:overview")


@pytest.fixture
def setting():
    user = UserFactory(
        username="a.pietersen", initials="A.B.M.", last_name="Pietersen", with_totp_device=True
    )
    org = OrganisationFactory(
        name="Pietersen Administratie B.V.",
        intermediair=True,
        afzender_email="info@pietersen.example.nl",
    )
    BeheerderFactory(user=user, organisation=org)
    sent_at = timezone.now() - datetime.timedelta(days=40)
    waiting = KetenmachtigingFactory(
        aanvraag_verstuurd=True,
        intermediair=org,
        relatie=OrganisationFactory(name="Bakkerij Van den Berg B.V."),
        sent_at=sent_at,
    )
    staff = UserFactory(
        username="medewerker", is_staff=True, is_superuser=True, with_totp_device=True
    )
    return {"user": user, "staff": staff, "km": waiting, "sent_at": sent_at}


def test_wachtend_shows_status_and_deadline_and_a_fout_reason_reaches_the_intermediair(
    page, browser, live_server, setting, screenshot
):
    km, sent_at = setting["km"], setting["sent_at"]
    deadline = dates.invitation_deadline(sent_at)
    days_left = (deadline - dates.today()).days

    log_in_on(page, "a.pietersen", DEFAULT_PASSWORD, setting["user"].totpdevice_set.get())
    page.goto(f"{OVERVIEW}?tab=wachtend")
    row = page.locator(".relatie-row", has_text="Bakkerij Van den Berg B.V.")
    expect(row.locator("summary")).to_contain_text("Aanvraag verstuurd")
    expect(row.locator("summary")).to_contain_text(
        f"verstuurd op {timezone.localdate(sent_at).day} "
    )
    expect(row.locator("summary")).to_contain_text(f"(nog {days_left} dagen)")
    screenshot("wachtend-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot("wachtend-375")

    # Staff mark the request Fout in the admin, in their own browser session.
    staff_context = browser.new_context(base_url=live_server.url, locale="nl-NL")
    staff_page = staff_context.new_page()
    log_in_on(staff_page, "medewerker", DEFAULT_PASSWORD, setting["staff"].totpdevice_set.get())
    staff_page.goto(f"/admin/ketenmachtigingen/ketenmachtiging/{km.pk}/change/")
    staff_page.get_by_role("link", name="Markeer als fout").click()
    staff_page.get_by_label("Reden").fill(REASON)
    staff_page.get_by_role("button", name="Markeer als fout").click()
    expect(staff_page.get_by_text("is gemarkeerd als fout")).to_be_visible()
    staff_context.close()

    # The intermediair sees Fout and the reason, as text.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{OVERVIEW}?tab=wachtend")
    row = page.locator(".relatie-row", has_text="Bakkerij Van den Berg B.V.")
    expect(row.locator("summary")).to_contain_text("Fout")
    row.locator("summary").click()
    expect(row.get_by_text(REASON)).to_be_visible()
    screenshot("wachtend-fout-details")

    page.goto(reverse("berichtenbox:list"))
    page.get_by_role("link", name="Aanvraag voor Bakkerij Van den Berg B.V. is mislukt").click()
    expect(page.get_by_text(f"Reden: {REASON}")).to_be_visible()
    screenshot("bericht-fout")
