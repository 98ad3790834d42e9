"""Every destructive action asks first, in Chromium: a modal dialog names the consequence,
"Annuleer" (focused) changes nothing, the danger button does it; by keyboard too; htmx
requests ask the same way; without JavaScript the confirmation page asks."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from groepen.models import Groep
from ketenmachtigingen.constants import Status
from ketenmachtigingen.models import BulkRequest, Ketenmachtiging, RegisterEntry
from tests.browser import totp_now
from tests.e2e.conftest import SCREENSHOTS
from tests.factories import (
    DEFAULT_PASSWORD,
    BulkRequestFactory,
    BulkRequestRowFactory,
    GroepFactory,
    KetenmachtigingFactory,
    OrganisationFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

OVERVIEW = "/ketenmachtigingen/van-relaties/"


@pytest.fixture
def setting(pietersen):
    """Pietersen's organisation with something to remove of every kind."""
    org = pietersen.memberships.get().organisation
    jong = org.memberships.get(user__last_name="Jong")
    smit = org.memberships.get(user__last_name="Smit")
    fiscalisten = GroepFactory(organisation=org, name="Fiscalisten", members=[smit])

    def km(name, **kwargs):
        return KetenmachtigingFactory(
            intermediair=org, relatie=OrganisationFactory(name=name), **kwargs
        )

    garage = OrganisationFactory(name="Garage Snel")
    twice = [
        KetenmachtigingFactory(intermediair=org, relatie=garage, actief=True) for _ in range(2)
    ]
    bulk = BulkRequestFactory(organisation=org, filename="relaties-maart.xlsx")
    BulkRequestRowFactory.create_batch(2, bulk_request=bulk)
    RegisterEntry.objects.create(kvk_nummer="39078749", name="ZET solutions B.V.")
    return {
        "user": pietersen,
        "pending": km("Bakkerij Jansen B.V.", aanvraag_verstuurd=True),
        "failed": km("Drukkerij Vos", fout=True),
        "used": km("Kapsalon Knip & Co", actief=True, gebruikers=[jong], groepen=[fiscalisten]),
        "revoked": km("Bloemenhandel Roos", actief=True),
        "twice": twice,
        "bulk": bulk,
        "groep": GroepFactory(organisation=org, name="Loonadministratie"),
    }


def log_in_as_pietersen(log_in, setting):
    log_in("a.pietersen", DEFAULT_PASSWORD, setting["user"].totpdevice_set.get())


def open_row(page, tab, name):
    """The overview's tab with the relatie's details opened (loaded by htmx)."""
    page.goto(f"{OVERVIEW}?tab={tab}")
    row = page.locator(".relatie-row", has_text=name)
    row.locator("summary").click()
    expect(row.locator(".km-detail").first).to_be_visible()
    return row


# --- each kind of destructive action -------------------------------------------------------------


@dataclass
class Kind:
    open: Callable  # (page, setting) -> the locator that holds the trigger
    trigger: tuple  # (role, name) of the trigger
    consequence: str
    confirm: str
    done: Callable  # (page, setting) -> bool: read from the database, or from the page
    done_text: str  # what the page says afterwards
    fill: Callable | None = None  # what the person chooses in the dialog before confirming


def _status(key, status):
    return lambda page, s: Ketenmachtiging.objects.get(pk=s[key].pk).status == status


KINDS = {
    "trek-aanvraag-in": Kind(
        open=lambda page, s: open_row(page, "wachtend", "Bakkerij Jansen B.V."),
        trigger=("button", "Trek aanvraag in"),
        consequence="De aanvraag voor Bakkerij Jansen B.V. wordt ingetrokken. De relatie kan "
        "het formulier dan niet meer gebruiken.",
        confirm="Ja, trek aanvraag in",
        done=_status("pending", Status.INGETROKKEN),
        done_text="De aanvraag voor Bakkerij Jansen B.V. is ingetrokken.",
    ),
    "verwijder-fout": Kind(
        open=lambda page, s: open_row(page, "wachtend", "Drukkerij Vos"),
        trigger=("button", "Verwijder"),
        consequence="De mislukte aanvraag voor Drukkerij Vos wordt verwijderd uit het overzicht.",
        confirm="Ja, verwijder aanvraag",
        done=_status("failed", Status.INGETROKKEN),
        done_text="De aanvraag voor Drukkerij Vos is ingetrokken.",
    ),
    "verwijder-gebruiker": Kind(
        open=lambda page, s: open_row(page, "actief", "Kapsalon Knip & Co"),
        trigger=("button", "Verwijder S. de Jong"),
        consequence="S. de Jong kan de ketenmachtiging van Kapsalon Knip & Co daarna direct "
        "niet meer gebruiken.",
        confirm="Ja, verwijder gebruiker",
        done=lambda page, s: not s["used"].gebruikers.exists(),
        done_text="S. de Jong heeft geen toegang meer tot deze ketenmachtiging.",
    ),
    "verwijder-groep-uit-ketenmachtiging": Kind(
        open=lambda page, s: open_row(page, "actief", "Kapsalon Knip & Co"),
        trigger=("button", "Verwijder groep Fiscalisten"),
        consequence="De gebruikers van groep Fiscalisten kunnen de ketenmachtiging van "
        "Kapsalon Knip & Co daarna niet meer via deze groep gebruiken.",
        confirm="Ja, verwijder groep",
        done=lambda page, s: not s["used"].groepen.exists(),
        done_text="Groep Fiscalisten heeft geen toegang meer tot deze ketenmachtiging.",
    ),
    "verwijder-bedrijf": Kind(
        open=lambda page, s: open_row(page, "actief", "Bloemenhandel Roos"),
        trigger=("button", "Verwijder bedrijf"),
        consequence="Let op! Dit kan niet ongedaan gemaakt worden.",
        confirm="Ja, verwijder bedrijf",
        fill=lambda dialog: dialog.get_by_label("Per direct").check(),
        done=_status("revoked", Status.INGETROKKEN),
        done_text="Bloemenhandel Roos is verwijderd uit het overzicht.",
    ),
    "trek-ketenmachtiging-in": Kind(
        # Of two active ketenmachtigingen of one relatie, the first ends; the other stays.
        open=lambda page, s: open_row(page, "actief", "Garage Snel").locator(".km-detail").first,
        trigger=("button", "Trek ketenmachtiging in"),
        consequence="De andere ketenmachtigingen van dit bedrijf blijven actief.",
        confirm="Ja, trek ketenmachtiging in",
        fill=lambda dialog: dialog.get_by_label("Per direct").check(),
        done=lambda page, s: (
            [
                Ketenmachtiging.objects.get(pk=km.pk).status
                for km in sorted(s["twice"], key=lambda km: (km.end_date, km.pk))
            ]
            == [Status.INGETROKKEN, Status.ACTIEF]
        ),
        done_text="De ketenmachtiging van Garage Snel is ingetrokken.",
    ),
    "verwijder-de-import": Kind(
        open=lambda page, s: (
            page.goto(reverse("ketenmachtigingen:bulk_detail", args=[s["bulk"].pk])),
            page.locator("main"),
        )[1],
        trigger=("button", "Verwijder de import"),
        consequence="De import relaties-maart.xlsx met 2 bedrijven wordt verwijderd.",
        confirm="Ja, verwijder de import",
        done=lambda page, s: not BulkRequest.objects.filter(pk=s["bulk"].pk).exists(),
        done_text="De import is verwijderd.",
    ),
    "verwijder-groep": Kind(
        open=lambda page, s: (
            page.goto(reverse("groepen:detail", args=[s["groep"].pk])),
            page.locator("main"),
        )[1],
        trigger=("button", "Verwijder groep"),
        consequence="De groep “Loonadministratie” wordt verwijderd.",
        confirm="Ja, verwijder groep",
        done=lambda page, s: not Groep.objects.filter(pk=s["groep"].pk).exists(),
        done_text="De groep “Loonadministratie” is verwijderd.",
    ),
    "begin-opnieuw": Kind(
        open=lambda page, s: choose_a_company(page),
        trigger=("button", "Begin opnieuw"),
        consequence="Het gekozen bedrijf ZET solutions B.V. en uw keuzes in stap 2 tot en met 4 "
        "worden gewist.",
        confirm="Ja, begin opnieuw",
        # The draft lives in the session: the page shows it.
        done=lambda page, s: page.locator(".company-card").count() == 0,
        done_text="KVK-nummer of fiscaal nummer",
    ),
}


def choose_a_company(page):
    page.goto(reverse("ketenmachtigingen:add"))
    page.get_by_label("KVK-nummer of fiscaal nummer").fill("39078749")
    page.get_by_role("button", name="Selecteer bedrijf").click()
    expect(page.locator(".company-card")).to_contain_text("ZET solutions B.V.")
    return page.locator("main")


@pytest.mark.parametrize("name", KINDS)
def test_annuleer_changes_nothing_and_the_danger_button_acts(page, log_in, setting, name):
    kind = KINDS[name]
    log_in_as_pietersen(log_in, setting)
    area = kind.open(page, setting)
    trigger = area.get_by_role(kind.trigger[0], name=kind.trigger[1], exact=True)

    trigger.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(kind.consequence)
    expect(dialog.get_by_role("button", name="Annuleer")).to_be_focused()
    dialog.get_by_role("button", name="Annuleer").click()
    expect(dialog).to_have_count(0)
    expect(trigger).to_be_focused()
    assert not kind.done(page, setting)

    trigger.click()
    if kind.fill:
        kind.fill(dialog)
    dialog.get_by_role("button", name=kind.confirm).click()
    expect(page.get_by_text(kind.done_text).first).to_be_visible()
    assert kind.done(page, setting)


def test_the_keyboard_asks_too(page, log_in, setting, screenshot):
    log_in_as_pietersen(log_in, setting)
    row = open_row(page, "wachtend", "Bakkerij Jansen B.V.")
    trigger = row.get_by_role("button", name="Trek aanvraag in")

    trigger.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Trek aanvraag in")
    cancel = dialog.get_by_role("button", name="Annuleer")
    confirm = dialog.get_by_role("button", name="Ja, trek aanvraag in")
    expect(cancel).to_be_focused()
    screenshot("bevestig-trek-aanvraag-in")
    page.keyboard.press("Tab")
    expect(confirm).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    expect(trigger).to_be_focused()
    assert Ketenmachtiging.objects.get(pk=setting["pending"].pk).status == Status.AANVRAAG_VERSTUURD

    page.keyboard.press("Enter")
    expect(cancel).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(
        page.get_by_text("De aanvraag voor Bakkerij Jansen B.V. is ingetrokken.")
    ).to_be_visible()
    assert Ketenmachtiging.objects.get(pk=setting["pending"].pk).status == Status.INGETROKKEN


def test_the_dialog_on_a_phone(page, log_in, setting):
    page.set_viewport_size({"width": 375, "height": 740})
    log_in_as_pietersen(log_in, setting)
    row = open_row(page, "actief", "Kapsalon Knip & Co")
    row.get_by_role("button", name="Verwijder S. de Jong").click()

    dialog = page.get_by_role("dialog", name="Verwijder gebruiker")
    expect(dialog.get_by_role("button", name="Annuleer")).to_be_focused()
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375  # within the screen
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "bevestig-verwijder-gebruiker-375.png")  # what is seen


def test_an_htmx_request_asks_first(page, log_in, setting):
    """An htmx element marked data-confirm asks with the same dialog before its request."""
    log_in_as_pietersen(log_in, setting)
    km = setting["used"]
    groep = km.groepen.get()
    url = reverse("ketenmachtigingen:remove_groep", args=[km.pk, groep.pk])
    page.goto(reverse("ketenmachtigingen:relatie", args=[km.relatie_id]) + "?tab=actief")
    page.evaluate(
        """url => {
            const button = document.createElement("button");
            button.textContent = "Verwijder met htmx";
            button.setAttribute("hx-post", url);
            button.setAttribute("hx-swap", "none");
            button.setAttribute("data-confirm", "");
            document.querySelector("main").append(button);
            htmx.process(button);
        }""",
        url,
    )
    button = page.get_by_role("button", name="Verwijder met htmx")

    button.click()
    dialog = page.get_by_role("dialog", name="Verwijder groep")
    expect(dialog).to_contain_text("De gebruikers van groep Fiscalisten")
    dialog.get_by_role("button", name="Annuleer").click()
    expect(button).to_be_focused()
    assert km.groepen.exists()

    # htmx sends the POST, then follows its redirect to the overview.
    with page.expect_response(lambda r: r.url.endswith(OVERVIEW)):
        button.click()
        dialog.get_by_role("button", name="Ja, verwijder groep").click()
    assert not km.groepen.exists()


def test_without_javascript_the_confirmation_page_asks(browser, live_server, setting):
    context = browser.new_context(
        base_url=live_server.url, locale="nl-NL", java_script_enabled=False
    )
    page = context.new_page()
    page.goto("/inloggen/")
    page.get_by_label("Gebruikersnaam").fill("a.pietersen")
    page.get_by_label("Wachtwoord").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_label("Code").fill(totp_now(setting["user"].totpdevice_set.get().key))
    page.get_by_role("button", name="Bevestig code").click()
    km = setting["used"]
    page.goto(reverse("ketenmachtigingen:relatie", args=[km.relatie_id]) + "?tab=actief")

    page.get_by_role("button", name="Verwijder S. de Jong").click()
    expect(page.get_by_role("heading", name="Verwijder gebruiker")).to_be_visible()
    expect(page.get_by_text("S. de Jong kan de ketenmachtiging van")).to_be_visible()
    assert km.gebruikers.exists()
    page.get_by_role("link", name="Annuleer").click()
    expect(page.get_by_role("heading", name="Kapsalon Knip & Co", exact=True)).to_be_visible()

    page.get_by_role("button", name="Verwijder S. de Jong").click()
    page.get_by_role("button", name="Ja, verwijder gebruiker").click()
    expect(page.get_by_text("S. de Jong heeft geen toegang meer")).to_be_visible()
    assert not km.gebruikers.exists()
    context.close()
