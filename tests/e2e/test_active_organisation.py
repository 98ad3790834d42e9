"""The organisation switcher in Chromium: the chosen organisation by its whole name, on a wide
screen and on a phone; and the Taal select of the Acties tab with its whole language."""

import datetime

import pytest
from playwright.sync_api import expect

from accounts.models import User
from ketenmachtigingen import dates
from tests.factories import (
    DEFAULT_PASSWORD,
    BeheerderFactory,
    KetenmachtigingFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

# Where the switcher shows the chosen name: the box it is drawn in and each line of its text.
SHOWN_NAME = """select => {
    const name = select.querySelector("selectedcontent");
    if (!name) return null;
    const range = document.createRange();
    range.selectNodeContents(name);
    const rect = r => ({left: r.left, right: r.right, top: r.top, bottom: r.bottom});
    return {
        text: name.innerText,
        select: rect(select.getBoundingClientRect()),
        box: rect(name.getBoundingClientRect()),
        lines: [...range.getClientRects()].map(rect),
        boxOverflows: name.scrollWidth > name.clientWidth || name.scrollHeight > name.clientHeight,
        selectOverflows: select.scrollWidth > select.clientWidth,
        viewportWidth: document.documentElement.clientWidth,
    };
}"""


def within(inner, outer) -> bool:
    return (
        inner["left"] >= outer["left"] - 0.5
        and inner["right"] <= outer["right"] + 0.5
        and inner["top"] >= outer["top"] - 0.5
        and inner["bottom"] <= outer["bottom"] + 0.5
    )


def assert_whole_name_shown(switcher, name: str) -> None:
    shown = switcher.evaluate(SHOWN_NAME)
    assert shown is not None, "the switcher shows the chosen name in <selectedcontent>"
    assert shown["text"] == name
    assert shown["lines"], "the name is drawn"
    assert all(within(line, shown["box"]) for line in shown["lines"]), shown
    assert within(shown["box"], shown["select"]), shown
    assert not shown["boxOverflows"] and not shown["selectOverflows"], shown
    assert shown["select"]["right"] <= shown["viewportWidth"], shown


def open_the_menu_on_a_phone(page, width: int) -> None:
    """Below 1024 px the side menu, with the switcher, is behind the header's "Menu" button."""
    if width < 1024:
        page.get_by_role("button", name="Menu").click()
        expect(page.get_by_role("navigation", name="Hoofdmenu")).to_be_visible()


@pytest.mark.parametrize("width", [1280, 375])
def test_the_switcher_shows_the_chosen_organisations_whole_name(page, log_in, screenshot, width):
    user = UserFactory(username="a.pietersen", with_totp_device=True)
    pietersen = OrganisationFactory(name="Pietersen Administratie B.V.", intermediair=True)
    loonbureau = OrganisationFactory(name="Loonbureau De Vries B.V.", intermediair=True)
    BeheerderFactory(user=user, organisation=pietersen)
    BeheerderFactory(user=user, organisation=loonbureau)
    page.set_viewport_size({"width": width, "height": 800})

    log_in("a.pietersen", DEFAULT_PASSWORD, user.totpdevice_set.get())
    open_the_menu_on_a_phone(page, width)
    switcher = page.get_by_label("Organisatie", exact=True)
    expect(switcher).to_have_value(str(loonbureau.pk))  # the first, alphabetically
    assert_whole_name_shown(switcher, "Loonbureau De Vries B.V.")

    switcher.select_option(label="Pietersen Administratie B.V.")
    expect(page.get_by_label("Organisatie", exact=True)).to_have_value(str(pietersen.pk))

    open_the_menu_on_a_phone(page, width)
    assert_whole_name_shown(
        page.get_by_label("Organisatie", exact=True), "Pietersen Administratie B.V."
    )
    screenshot(f"organisation-switcher-{width}")
    # Remembered for the next login (tests/accounts/test_active_organisation.py logs in again).
    assert User.objects.get(pk=user.pk).last_organisation == pietersen


# How wide a select must be for its longest option: a copy of it sized to its content.
NEEDED_WIDTH = """select => {
    const copy = select.cloneNode(true);
    copy.removeAttribute("id");
    copy.style.setProperty("width", "max-content");
    copy.style.setProperty("min-width", "0");
    select.after(copy);
    const needed = copy.getBoundingClientRect().width;
    copy.remove();
    const width = select.getBoundingClientRect().width;
    return {needed, width, text: select.selectedOptions[0].text};
}"""


@pytest.mark.parametrize("width", [1280, 375])
def test_the_acties_taal_select_shows_the_whole_language(page, log_in, screenshot, width):
    user = UserFactory(username="a.pietersen", with_totp_device=True)
    pietersen = OrganisationFactory(name="Pietersen Administratie B.V.", intermediair=True)
    BeheerderFactory(user=user, organisation=pietersen)
    end = dates.today() + datetime.timedelta(days=30)
    KetenmachtigingFactory(
        actief=True,
        intermediair=pietersen,
        relatie=OrganisationFactory(name="Bakkerij Van den Berg B.V."),
        start_date=dates.add_years(end, -5),
    )
    page.set_viewport_size({"width": width, "height": 800})

    log_in("a.pietersen", DEFAULT_PASSWORD, user.totpdevice_set.get())
    page.goto("/ketenmachtigingen/van-relaties/?tab=acties")

    taal = page.get_by_label("Taal Bakkerij Van den Berg B.V.")
    shown = taal.evaluate(NEEDED_WIDTH)
    assert shown["text"] == "Nederlands"
    assert shown["width"] >= shown["needed"] - 0.5, shown
    screenshot(f"acties-taal-{width}")
