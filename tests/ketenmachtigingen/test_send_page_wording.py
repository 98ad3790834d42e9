"""The last step of a request ("Verzend aanvraag tot goedkeuring"): the sentence that ends with
the company's name, and the link to the current tarieven where the manual has it."""

import re

import pytest

from .request_steps import SEND, complete_steps

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "sentence", "tarieven"),
    [
        (
            "nl",
            "De ketenmachtiging aanvraag wordt verzonden naar de door u opgegeven contactpersoon "
            "bij ZET solutions B.V.</p>",
            "De actuele tarieven kunt u vinden op onze ",
        ),
        (
            "en",
            "The chain authorisation request will be sent to the contact person you specified "
            "at ZET solutions B.V.</p>",
            "You can find the current rates on our ",
        ),
    ],
)
def test_the_send_page_ends_the_sentence_after_a_bv_once_and_links_the_tarieven(
    portal,
    zet,
    dienst,
    collega,
    settings,
    language,
    sentence,
    tarieven,
):
    settings.ZLOGIN_TARIEVEN_URL = "https://www.zlogin.example/tarieven"
    portal.post("/i18n/setlang/", {"language": language, "next": "/"})
    complete_steps(portal, zet, dienst, collega)

    content = portal.get(SEND).content.decode()

    assert sentence in content
    assert "B.V.." not in content
    [link] = re.findall(
        re.escape(tarieven) + r'<a href="([^"]+)" target="_blank" rel="noopener">', content
    )
    assert link == "https://www.zlogin.example/tarieven"
