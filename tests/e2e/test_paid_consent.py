"""The Acties tab in Chromium: nothing paid is ticked beforehand, the number of renewals shows
beside the cost consent, and only what was chosen, with consent, is sent."""

import datetime

import pytest
from django.core import mail
from playwright.sync_api import expect

from ketenmachtigingen import dates
from ketenmachtigingen.constants import Delivery
from ketenmachtigingen.models import Ketenmachtiging
from outbox.models import OutboxMessage
from tests.e2e.conftest import log_in_on
from tests.factories import DEFAULT_PASSWORD, KetenmachtigingFactory, OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)

ACTIES = "/ketenmachtigingen/van-relaties/?tab=acties"
NONE_CHOSEN = (
    "U heeft nog geen ketenmachtiging geselecteerd. Aan elke verlenging zijn kosten voor "
    "vastlegging verbonden."
)
TWO_CHOSEN = (
    "U vraagt 2 verlengingen aan. Aan elke verlenging zijn kosten voor vastlegging verbonden."
)
CONSENT = "Ja, ik ga akkoord met de kosten voor vastlegging van deze ketenmachtiging."


@pytest.fixture
def ending(pietersen):
    """Three of Pietersen's relaties whose ketenmachtiging ends within 3 months, with contacts."""
    organisation = pietersen.memberships.get().organisation
    kms = {}
    for days, name, contact in [
        (20, "Bakkerij Van den Berg B.V.", "bakkerij"),
        (40, "Drukkerij Vos", "drukkerij"),
        (60, "Kapsalon Knip & Co", "kapsalon"),
    ]:
        end = dates.today() + datetime.timedelta(days=days)
        kms[name] = KetenmachtigingFactory(
            actief=True,
            intermediair=organisation,
            relatie=OrganisationFactory(name=name),
            start_date=dates.add_years(end, -5),
            contact_achternaam=contact.title(),
            contact_email=f"{contact}@example.nl",
        )
    return kms


def log_in(page, user) -> None:
    log_in_on(page, user.username, DEFAULT_PASSWORD, user.totpdevice_set.get())
    page.goto(ACTIES)


def renewed() -> list[str]:
    return sorted(
        Ketenmachtiging.objects.filter(renews__isnull=False).values_list("relatie__name", flat=True)
    )


def test_two_chosen_renewals_are_sent_only_with_consent(page, pietersen, ending, screenshot):
    log_in(page, pietersen)
    form = page.locator("form.acties-form")
    summary = form.locator(".paid-summary")

    # Nothing is ticked: no row, and not the consent.
    boxes = form.get_by_role("checkbox")
    expect(boxes).to_have_count(4)
    for box in boxes.all():
        expect(box).not_to_be_checked()
    expect(summary).to_have_text(NONE_CHOSEN)

    form.get_by_label("Selecteer Bakkerij Van den Berg B.V.").check()
    expect(summary).to_have_text(
        "U vraagt 1 verlenging aan. Hieraan zijn kosten voor vastlegging verbonden."
    )
    form.get_by_label("Selecteer Drukkerij Vos").check()
    expect(summary).to_have_text(TWO_CHOSEN)
    screenshot("acties-twee-geselecteerd")

    # Without the consent nothing is sent, and the choice stays.
    form.get_by_role("button", name="Verleng selectie").click()
    expect(
        page.locator(".messages").get_by_text(
            "Ga akkoord met de kosten om de verlenging aan te vragen."
        )
    ).to_be_visible()
    assert renewed() == []
    form = page.locator("form.acties-form")
    expect(form.get_by_label("Selecteer Bakkerij Van den Berg B.V.")).to_be_checked()
    expect(form.get_by_label("Selecteer Drukkerij Vos")).to_be_checked()
    expect(form.get_by_label("Selecteer Kapsalon Knip & Co")).not_to_be_checked()
    expect(form.get_by_label(CONSENT)).not_to_be_checked()
    expect(form.locator(".paid-summary")).to_have_text(TWO_CHOSEN)
    screenshot("acties-geweigerd-zonder-akkoord")

    form.get_by_label(CONSENT).check()
    form.get_by_role("button", name="Verleng selectie").click()

    expect(page.get_by_text("2 verlengingsverzoeken zijn verstuurd.")).to_be_visible()
    assert renewed() == ["Bakkerij Van den Berg B.V.", "Drukkerij Vos"]
    assert OutboxMessage.objects.filter(kind=Delivery.INVITATION).count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["bakkerij@example.nl", "drukkerij@example.nl"]
    # The renewed ones have left the tab; the third is there, not ticked.
    form = page.locator("form.acties-form")
    expect(form.get_by_role("checkbox")).to_have_count(2)
    expect(form.get_by_label("Selecteer Kapsalon Knip & Co")).not_to_be_checked()


def test_enter_in_a_field_sends_nothing_and_unticking_lowers_the_number(page, pietersen, ending):
    log_in(page, pietersen)
    form = page.locator("form.acties-form")
    form.get_by_label("Selecteer Drukkerij Vos").check()
    form.get_by_label("Selecteer Kapsalon Knip & Co").check()
    form.get_by_label(CONSENT).check()
    expect(form.locator(".paid-summary")).to_have_text(TWO_CHOSEN)

    # Enter would press the first row's "Vraag verlenging aan"; it does nothing.
    name = form.get_by_label("Naam ontvanger Bakkerij Van den Berg B.V.")
    name.fill("J. Nieuw")
    name.press("Enter")
    page.wait_for_timeout(500)
    assert page.url.endswith(ACTIES)
    assert renewed() == []

    form.get_by_label("Selecteer Kapsalon Knip & Co").uncheck()
    expect(form.locator(".paid-summary")).to_have_text(
        "U vraagt 1 verlenging aan. Hieraan zijn kosten voor vastlegging verbonden."
    )
    form.get_by_role("button", name="Verleng selectie").click()

    expect(page.get_by_text("1 verlengingsverzoek is verstuurd.")).to_be_visible()
    assert renewed() == ["Drukkerij Vos"]


def test_without_javascript_the_number_is_shown_before_anything_is_sent(
    browser, live_server, pietersen, ending, screenshot
):
    context = browser.new_context(
        base_url=live_server.url, locale="nl-NL", java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, pietersen)
    form = page.locator("form.acties-form")
    form.get_by_label("Selecteer Bakkerij Van den Berg B.V.").check()
    form.get_by_label("Selecteer Drukkerij Vos").check()
    form.get_by_label(CONSENT).check()

    form.get_by_role("button", name="Verleng selectie").click()

    expect(page.locator(".messages")).to_contain_text(
        f"{TWO_CHOSEN} Controleer de selectie en klik nogmaals op Verleng selectie om te versturen."
    )
    assert renewed() == []
    form = page.locator("form.acties-form")
    expect(form.locator(".paid-summary")).to_have_text(TWO_CHOSEN)
    expect(form.get_by_label(CONSENT)).to_be_checked()
    screenshot("acties-zonder-javascript-bevestigen")

    form.get_by_role("button", name="Verleng selectie").click()

    expect(page.get_by_text("2 verlengingsverzoeken zijn verstuurd.")).to_be_visible()
    assert renewed() == ["Bakkerij Van den Berg B.V.", "Drukkerij Vos"]
    context.close()
