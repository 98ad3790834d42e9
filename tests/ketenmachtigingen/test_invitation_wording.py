"""The invitation's wording: names that end in a full stop, the request code the relatie can
quote, one deadline in mail and form that says what the lifecycle does, and the links to the
Z login website."""

import datetime
import re
from html import unescape

import pytest
import time_machine
from django.template import Context, Template
from django.utils.html import strip_tags

from accounts.templatetags.sentences import end_sentence
from ketenmachtigingen.errors import DomainError
from ketenmachtigingen.mail import build_incomplete_message, build_invitation_message
from ketenmachtigingen.pdf import invitation_pdf
from ketenmachtigingen.services import lifecycle
from tests.factories import KetenmachtigingFactory, OrganisationFactory

from .invitations import make_km, message_text, pdf_text

pytestmark = pytest.mark.django_db

PIETERSEN = "Pietersen Administratie B.V."

# --- the filter -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("Accountantskantoor Van Dijk", "Accountantskantoor Van Dijk."),
        (PIETERSEN, PIETERSEN),
        ("Bakkerij De Gouden Korst & Zn.", "Bakkerij De Gouden Korst & Zn."),
        ("Yahoo!", "Yahoo!"),
        ("Wat nu?", "Wat nu?"),
        ("020 123 45 67\n   ", "020 123 45 67."),
    ],
)
def test_end_sentence_adds_one_full_stop_at_most(text, sentence):
    assert end_sentence(text) == sentence


def test_end_sentence_in_templates_keeps_escaping():
    template = Template(
        "{% load sentences %}{{ name|end_sentence }} | "
        "{% filter end_sentence %}Bel {{ name }}{% if phone %}, {{ phone }}{% endif %}"
        "{% endfilter %}"
    )

    assert template.render(Context({"name": "Jansen & Zn."})) == (
        "Jansen &amp; Zn. | Bel Jansen &amp; Zn."
    )
    assert template.render(Context({"name": "<b>X</b>", "phone": "0201234567"})) == (
        "&lt;b&gt;X&lt;/b&gt;. | Bel &lt;b&gt;X&lt;/b&gt;, 0201234567."
    )


# --- names that end in a full stop ------------------------------------------------------------


def readable(html: str) -> str:
    """The HTML as a reader sees it: without tags and entities, whitespace runs as one space."""
    return " ".join(unescape(strip_tags(html)).split())


@pytest.mark.parametrize(
    ("language", "costs", "footer"),
    [
        (
            "nl",
            f"in rekening bij {PIETERSEN} Het kan zijn",
            f"Deze e-mail is verstuurd door Z login eHerkenning namens {PIETERSEN}",
        ),
        (
            "en",
            f"charges the costs of this chain authorisation to {PIETERSEN} Your intermediary",
            f"This e-mail was sent by Z login eHerkenning on behalf of {PIETERSEN}",
        ),
    ],
)
def test_the_mail_ends_sentences_after_a_bv_with_one_full_stop(language, costs, footer):
    km = make_km(language=language, intermediair=OrganisationFactory(name=PIETERSEN))

    body, html = message_text(build_invitation_message(km))

    text = readable(html)
    assert "B.V.." not in body and "B.V.." not in text
    assert costs in " ".join(body.split())
    assert costs in text
    assert text.endswith(footer)


@pytest.mark.parametrize(
    ("language", "after_name"),
    [
        ("nl", "Accountantskantoor Van Dijk. Het kan zijn"),
        ("en", "Accountantskantoor Van Dijk. Your"),
    ],
)
def test_a_name_without_full_stop_still_ends_the_sentence(language, after_name):
    km = make_km(language=language)

    body, html = message_text(build_invitation_message(km))

    assert after_name in " ".join(body.split())
    assert after_name in readable(html)
    assert readable(html).endswith("Accountantskantoor Van Dijk.")


@pytest.mark.parametrize(
    ("email", "telefoon", "ending"),
    [
        ("", "", f"Neem contact op met {PIETERSEN}"),
        ("", "020 123 45 67", f"Neem contact op met {PIETERSEN}, 020 123 45 67."),
    ],
)
def test_the_form_ends_the_question_sentence_with_one_full_stop(email, telefoon, ending):
    km = make_km(
        intermediair=OrganisationFactory(name=PIETERSEN),
        intermediair_email=email,
        intermediair_telefoon=telefoon,
    )

    text = pdf_text(invitation_pdf(km))

    assert "B.V.." not in text
    assert f"Vragen over deze aanvraag? {ending}" in text


# --- the request code -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "line", "quote"),
    [
        ("nl", "Aanvraagcode: {code}", "Vermeld daarbij de aanvraagcode {code}."),
        ("en", "Request code: {code}", "Please quote the request code {code}."),
    ],
)
def test_the_mail_gives_the_request_code_to_quote(language, line, quote):
    km = make_km(language=language)
    code = km.request_code

    body, html = message_text(build_invitation_message(km))

    assert f"\n{line.format(code=code)}\n" in body
    assert quote.format(code=code) in " ".join(body.split())
    text = readable(html)
    assert line.format(code=code) in text
    assert quote.format(code=code) in text


# --- the deadline -----------------------------------------------------------------------------

DEADLINE_SENTENCE = {
    "nl": "het moet uiterlijk op {date} binnen zijn",
    "en": "it must arrive no later than {date}",
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_mail_and_form_state_the_deadline_in_the_same_words(frozen, language):
    km = make_km(language=language)
    sentence = DEADLINE_SENTENCE[language].format(date="10-06-2026")

    message = build_invitation_message(km)
    body, html = message_text(message)
    [(_, pdf, _)] = message.attachments

    assert sentence in " ".join(body.split())
    assert sentence in readable(html)
    assert sentence in pdf_text(pdf)
    for wrong in ("uiterlijk voor", "but no later than"):
        assert wrong not in body and wrong not in html


def test_the_date_in_the_mail_is_the_last_day_a_form_is_accepted(staff_user):
    """The mail says the form must be in "uiterlijk op" the date: received on that date it is
    processed, a day later it is refused."""
    sent_at = datetime.datetime(2026, 1, 31, 23, 30, tzinfo=datetime.UTC)  # 1 Feb in Amsterdam
    on_time = KetenmachtigingFactory(aanvraag_verstuurd=True, sent_at=sent_at)
    late = KetenmachtigingFactory(aanvraag_verstuurd=True, sent_at=sent_at)
    body, _ = message_text(build_invitation_message(on_time))
    [stated] = re.findall(r"uiterlijk op (\d\d-\d\d-\d{4}) binnen", body)
    last_day = datetime.datetime.strptime(stated, "%d-%m-%Y").date()
    assert last_day == datetime.date(2026, 5, 1)

    with time_machine.travel(datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC)):
        lifecycle.mark_received(on_time, acting_user=staff_user, received_on=last_day)
        with pytest.raises(DomainError, match="na de uiterste datum 01-05-2026"):
            lifecycle.mark_received(
                late, acting_user=staff_user, received_on=last_day + datetime.timedelta(days=1)
            )


# --- links to the Z login website -------------------------------------------------------------


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_mails_link_the_z_login_website_from_the_setting(settings, language):
    settings.ZLOGIN_WEBSITE_URL = "https://www.zlogin.example/contact"
    km = make_km(language=language)

    for message in (
        build_invitation_message(km),
        build_incomplete_message(km, reason="De handtekening ontbreekt."),
    ):
        body, html = message_text(message)
        links = re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', html)
        assert ("https://www.zlogin.example/contact", "Z login website") in links
        assert "Z login website: https://www.zlogin.example/contact\n" in body
