"""The invitation to the relatie: the PDF form, the e-mail, and the task that sends them."""

import datetime
import re
import subprocess
import zlib

import pytest
import qrcode
from django.core import mail
from django.utils import timezone, translation

from berichtenbox.models import Bericht
from ketenmachtigingen.constants import ActorKind, Delivery, EventKind, Status
from ketenmachtigingen.mail import build_invitation_message
from ketenmachtigingen.models import KetenmachtigingEvent
from ketenmachtigingen.pdf import invitation_pdf, qr_code_data_uri
from ketenmachtigingen.services.creation import (
    Assignment,
    RelatieContact,
    ScopeSelection,
    request_ketenmachtiging,
)
from outbox.mail import message_id
from outbox.models import OutboxMessage, State
from outbox.services import deliver, enqueue, messages_for, resend
from tests.factories import (
    KetenmachtigingFactory,
    OrganisationFactory,
)
from tests.ketenmachtigingen.invitations import RSIN, make_km, message_text, pdf_text
from tests.mail_backends import DisconnectingBackend
from tests.mailserver import MailServer

from .conftest import NOW

pytestmark = pytest.mark.django_db

# NOW (conftest) is 10 March 2026: the signed form must be back within 3 months.
DEADLINE = "10-06-2026"
POSTAL_ADDRESS = [
    "Z login eHerkenning",
    "t.a.v. Ketenmachtigingen",
    "Antwoordnummer 1234",
    "8200 VB Lelystad",
]


@pytest.fixture(autouse=True)
def _postal_address(settings):
    settings.ZLOGIN_POSTAL_ADDRESS = POSTAL_ADDRESS


def pdf_info(pdf: bytes, tool: str) -> str:
    return subprocess.run([tool, "-"], input=pdf, capture_output=True, check=True).stdout.decode()


# --- the PDF form ---------------------------------------------------------------------------

PDF_LABELS = {
    "nl": {
        "title": "Ketenmachtiging",
        "parties": ["Vertegenwoordigde (relatie)", "Intermediair"],
        "fields": ["Naam", "KVK-nummer", "RSIN", "Adres"],
        "whole": "Dienstverlenersmachtiging voor Belastingdienst",
        "duration": "Duur: 3 jaar",
        "signature": ["Naam", "Functie", "Datum", "Plaats", "Handtekening"],
        "signers": ["Wettelijk vertegenwoordiger 1", "Wettelijk vertegenwoordiger 2"],
        "steps": [
            "Print dit formulier.",
            "Laat het ondertekenen door de wettelijk vertegenwoordiger(s)",
            "kopie van het identiteitsbewijs",
            f"uiterlijk op {DEADLINE} binnen zijn",
        ],
        "deadline": "Uiterste ontvangstdatum",
        "code": "Aanvraagcode",
        "algemeen": "Algemene bevoegdheid: alle diensten die met eHerkenning toegankelijk zijn, "
        "nu en in de toekomst.",
        "renewal": "Dit formulier verlengt de huidige ketenmachtiging, die eindigt op",
    },
    "en": {
        "title": "Chain authorisation",
        "parties": ["Represented organisation (client)", "Intermediary"],
        "fields": ["Name", "KVK number", "RSIN", "Address"],
        "whole": "Service provider authorisation for Belastingdienst",
        "duration": "Duration: 3 years",
        "signature": ["Name", "Position", "Date", "Place", "Signature"],
        "signers": ["Legal representative 1", "Legal representative 2"],
        "steps": [
            "Print this form.",
            "Have it signed by the legal representative(s)",
            "copy of the identity document",
            f"it must arrive no later than {DEADLINE}",
        ],
        "deadline": "Must arrive by",
        "code": "Request code",
        "algemeen": "General authority: all services accessible with eHerkenning, "
        "now and in the future.",
        "renewal": "This form renews the current chain authorisation, which ends on",
    },
}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_pdf_names_everything_the_relatie_signs_for(frozen, language):
    km = make_km(language=language)
    labels = PDF_LABELS[language]

    pdf = invitation_pdf(km)

    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    assert text.startswith("Z login " + labels["title"])
    for label in labels["parties"] + labels["fields"] + labels["signers"]:
        assert label in text
    # The relatie (vertegenwoordigde) and the intermediair.
    for value in [
        "Bakkerij De Gouden Korst & Zn. B.V.",
        "30112233",
        RSIN,
        "Dorpsstraat 12a",
        "1234 AB Amersfoort",
        "Accountantskantoor Van Dijk",
        "40998877",
        "Keizersgracht 100",
        "1015 AA Amsterdam",
    ]:
        assert value in text
    # The scope: the whole dienstverlener, and the single diensten under theirs.
    assert labels["whole"] in text
    assert "UWV: ◦ Verzuimmelding ◦ Werkgeversportaal" in text
    assert labels["duration"] in text
    # Two signature blocks with all their lines.
    for label in labels["signature"]:
        assert text.count(label) >= 2, label
    # How to send it, where to and before when, and which request this is.
    for step in labels["steps"]:
        assert step in text
    # (pdftotext reads the columns of a row in turns: check each piece on its own.)
    assert labels["deadline"].upper() in text  # text-transform: uppercase
    assert text.count(DEADLINE) == 2  # in the steps and in the box
    for line in POSTAL_ADDRESS:
        assert line in text
    assert f"{labels['code']} {km.request_code}" in text
    assert "kantoor@vandijk.example.nl, 020 123 45 67" in text


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_pdf_for_algemene_bevoegdheid_and_a_renewal(frozen, language):
    current = KetenmachtigingFactory(
        actief=True, start_date=datetime.date(2021, 5, 1), end_date=datetime.date(2026, 5, 1)
    )
    km = make_km(
        language=language,
        algemene_bevoegdheid=True,
        dienstverleners=[],
        diensten=[],
        duration_years=1,
        renews=current,
    )

    text = pdf_text(invitation_pdf(km))

    assert PDF_LABELS[language]["algemeen"] in text
    assert f"{PDF_LABELS[language]['renewal']} 01-05-2026." in text
    assert ("Duur: 1 jaar" if language == "nl" else "Duration: 1 year,") in text
    assert "Werkgeversportaal" not in text


def test_the_pdf_without_rsin_or_address():
    km = make_km(
        relatie=OrganisationFactory(rsin=None, straat="", huisnummer="", postcode="", plaats="")
    )

    text = pdf_text(invitation_pdf(km))

    assert "RSIN" not in text
    assert "Adres –" in text


def test_the_pdf_is_an_a4_form_in_dejavu_sans():
    pdf = invitation_pdf(make_km())

    info = pdf_info(pdf, "pdfinfo")
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
    assert re.search(r"Pages:\s+[12]\n", info)
    fonts = [line.split()[0] for line in pdf_info(pdf, "pdffonts").splitlines()[2:]]
    assert fonts
    assert all(re.fullmatch(r"[A-Z]{6}\+DejaVu-?Sans(-Bold)?", font) for font in fonts), fonts


def drawn_unit_squares(pdf: bytes) -> set[tuple[int, int]]:
    """Squares of 1×1 user units drawn as paths in the PDF's content streams: the SVG QR code's
    modules, which WeasyPrint draws in the SVG's own coordinates (its viewBox)."""
    squares = set()
    number = r"(-?\d+(?:\.\d+)?)"
    square = re.compile(
        rf"{number} {number} m\n{number} {number} l\n{number} {number} l\n{number} {number} l\nh"
    )
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            content = zlib.decompress(stream).decode("latin-1")
        except zlib.error:
            continue
        for match in square.finditer(content):
            x0, y0, x1, y1, x2, y2, x3, y3 = (float(v) for v in match.groups())
            if (x1 - x0, y1 - y0, x2 - x1, y2 - y1, x3 - x2, y3 - y2) == (1, 0, 0, 1, -1, 0):
                squares.add((int(x0), int(y0)))
    return squares


def qr_modules(text: str) -> set[tuple[int, int]]:
    """The dark modules of the QR code that encodes `text`, as (x, y), quiet zone included."""
    qr = qrcode.QRCode(border=4)
    qr.add_data(text)
    qr.make(fit=True)
    return {(x, y) for y, row in enumerate(qr.get_matrix()) for x, dark in enumerate(row) if dark}


def test_the_pdf_draws_the_qr_code_of_the_request_code():
    # No QR decoder is installed: compare the drawn modules with the symbol qrcode encodes.
    km = make_km()

    drawn = drawn_unit_squares(invitation_pdf(km))

    assert len(drawn) > 100
    assert drawn == qr_modules(km.request_code)
    assert drawn != qr_modules("KM-AAAA-BBBB-CCCC")


def test_the_qr_code_is_a_small_svg():
    uri = qr_code_data_uri("KM-7XQ2-M9PA-K4TR")

    assert uri.startswith("data:image/svg+xml;base64,")
    assert len(uri) < 6000


# --- the e-mail -------------------------------------------------------------------------------


def test_the_mail_in_dutch(frozen):
    km = make_km(language="nl")

    message = build_invitation_message(km)

    assert message.subject == "Ketenmachtiging voor Bakkerij De Gouden Korst & Zn. B.V."
    assert message.to == ["a.vanderberg@bakkerij.example.nl"]
    assert message.reply_to == ["kantoor@vandijk.example.nl"]
    assert message.from_email == "Z login <noreply@zlogin.nl>"
    body, html = message_text(message)
    assert body == (
        "Beste A.B. van der Berg,\n"
        "\n"
        "Accountantskantoor Van Dijk wil gebruikmaken van een ketenmachtiging van Z login om "
        "namens uw organisatie in te loggen met eHerkenning.\n"
        "\n"
        f"Aanvraagcode: {km.request_code}\n"
        "\n"
        "Het gaat om een ketenmachtiging voor 3 jaar voor:\n"
        "- Dienstverlenersmachtiging voor Belastingdienst: alle diensten van Belastingdienst\n"
        "- Verzuimmelding (UWV)\n"
        "- Werkgeversportaal (UWV)\n"
        "\n"
        "Gaat u akkoord met het afgeven van een ketenmachtiging zoals beschreven in bijgevoegd "
        "formulier (PDF), doorloop dan de volgende stappen:\n"
        "\n"
        "- Print bijgevoegd Ketenmachtiging formulier (PDF);\n"
        "- Laat deze ondertekenen door de wettelijk bevoegde(n) van uw organisatie;\n"
        "- Stuur kopie identiteitsbewijs mee van de wettelijk bevoegde(n) van uw organisatie;\n"
        "- Stuur het getekende formulier zo spoedig mogelijk per post naar Z login; het moet "
        "uiterlijk op 10-06-2026 binnen zijn. Het adres staat vermeld op het formulier.\n"
        "\n"
        "Op het formulier staan nogmaals de stappen en het adres van Z login opgenomen. Z login "
        "brengt de kosten van deze ketenmachtiging in rekening bij Accountantskantoor Van Dijk. "
        "Het kan zijn dat uw intermediair kosten aan u doorberekent. Als dit het geval is dan "
        "bent u daarvan al eerder op de hoogte gesteld.\n"
        "\n"
        "Heeft u vragen naar aanleiding van deze e-mail? Neem dan contact op met "
        "Accountantskantoor Van Dijk:\n"
        "\n"
        "e: kantoor@vandijk.example.nl\n"
        "\n"
        "t: 020 123 45 67\n"
        "\n"
        "Vragen over het vervolg? Kijk dan op de Z login website: https://www.zlogin.nl\n"
        "Daar kunt u ook de verschillende contactmogelijkheden vinden. Vermeld daarbij de "
        f"aanvraagcode {km.request_code}.\n"
        "\n"
        "Persoonlijk bericht van Accountantskantoor Van Dijk:\n"
        "\n"
        "Zoals besproken.\n"
        "Groet, Piet\n"
        "\n"
        "Met vriendelijke groet,\n"
        "Customerservice Z login eHerkenning\n"
    )
    assert '<html lang="nl">' in html
    assert "Beste A.B. van der Berg," in html
    assert "Bakkerij De Gouden Korst &amp; Zn. B.V." in html
    assert "het moet uiterlijk op <strong" in html and ">10-06-2026</strong> binnen zijn." in html
    assert "Z login brengt de kosten van deze ketenmachtiging in rekening bij" in html
    assert 'href="mailto:kantoor@vandijk.example.nl"' in html
    assert "Zoals besproken.<br>Groet, Piet" in html
    assert html.index("Vragen over het vervolg?") < html.index("Zoals besproken.")
    assert html.index("Zoals besproken.") < html.index("Met vriendelijke groet,")
    # No external images; the one link goes to the Z login website.
    assert "<img" not in html
    assert re.findall(r'href="(http[^"]*)"', html) == ["https://www.zlogin.nl"]


def test_the_mail_in_english(frozen):
    km = make_km(language="en", algemene_bevoegdheid=True, dienstverleners=[], diensten=[])

    with translation.override("nl"):  # the portal's language does not matter
        message = build_invitation_message(km)
        assert translation.get_language() == "nl"

    assert message.subject == "Chain authorisation for Bakkerij De Gouden Korst & Zn. B.V."
    body, html = message_text(message)
    for expected in [
        "Dear A.B. van der Berg,\n",
        "Accountantskantoor Van Dijk would like to use a chain authorisation (ketenmachtiging) "
        "from Z login to log in with eHerkenning on behalf of your organisation.\n",
        "The request is for a chain authorisation of 3 years for:\n"
        "- General authority: all services\n",
        "- Print the attached chain authorisation form (PDF);\n",
        "- Have it signed by the legal representative(s) of your organisation;\n",
        "- Enclose a copy of the identity document of the legal representative(s)",
        "- Send the signed form by post to Z login as soon as possible; it must arrive no later "
        "than 10-06-2026. The address is on the form.\n",
        "Z login charges the costs of this chain authorisation to Accountantskantoor Van Dijk. "
        "Your intermediary may pass costs on to you.",
        "Please contact Accountantskantoor Van Dijk:\n\ne: kantoor@vandijk.example.nl\n\n"
        "t: 020 123 45 67\n",
        "Personal message from Accountantskantoor Van Dijk:\n\nZoals besproken.\nGroet, Piet\n\n"
        "Kind regards,\nCustomer Service Z login eHerkenning\n",
    ]:
        assert expected in body
    assert "Dienstverlenersmachtiging" not in body
    assert '<html lang="en">' in html
    assert "<strong>General authority</strong>: all services" in html
    assert "it must arrive no later than <strong" in html and ">10-06-2026</strong>." in html
    assert "Kind regards,<br>Customer Service Z login eHerkenning" in html


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "nl",
            "Accountantskantoor Van Dijk maakt gebruik van een ketenmachtiging van Z login om "
            "namens uw organisatie in te loggen met eHerkenning. Deze ketenmachtiging gaat "
            "binnenkort verlopen en dient verlengd te worden om in de toekomst te kunnen blijven "
            "inloggen.\n",
        ),
        ("en", "This chain authorisation expires soon and must be renewed"),
    ],
)
def test_the_mail_for_a_renewal(language, expected):
    km = make_km(language=language, renews=KetenmachtigingFactory(actief=True))

    body, html = message_text(build_invitation_message(km))

    assert expected in body
    assert expected.strip() in html


def test_the_personal_note_is_plain_text():
    km = make_km(personal_message='<b>hoi</b> & <script>alert("x")</script>\nregel 2')

    body, html = message_text(build_invitation_message(km))

    assert '<b>hoi</b> & <script>alert("x")</script>\nregel 2\n' in body
    assert "&lt;b&gt;hoi&lt;/b&gt; &amp; &lt;script&gt;" in html
    assert "<b>hoi</b>" not in html and "<script>" not in html
    assert "&lt;/script&gt;<br>regel 2" in html


def test_the_mail_without_note_reply_to_or_phone():
    km = make_km(personal_message="", intermediair_email="", intermediair_telefoon="")

    message = build_invitation_message(km)

    assert message.reply_to == []
    body, html = message_text(message)
    assert "Persoonlijk bericht" not in body and "Persoonlijk bericht" not in html
    assert "\ne: " not in body and "\nt: " not in body
    assert (
        "Neem dan contact op met Accountantskantoor Van Dijk:\n\nVragen over het vervolg?" in body
    )


def test_the_mail_has_the_pdf_attached():
    km = make_km()

    message = build_invitation_message(km)

    [(filename, content, mimetype)] = message.attachments
    assert filename == f"ketenmachtiging-{km.request_code}.pdf"
    assert mimetype == "application/pdf"
    assert content.startswith(b"%PDF-")
    assert km.request_code in pdf_text(content)


def test_the_pdf_attached_to_an_english_mail_has_an_english_name():
    km = make_km(language="en")

    [(filename, _content, _mimetype)] = build_invitation_message(km).attachments

    assert filename == f"chain-authorisation-{km.request_code}.pdf"


# --- the task ---------------------------------------------------------------------------------


def invitation_events(km):
    return list(KetenmachtigingEvent.objects.filter(ketenmachtiging=km, kind="invitation_sent"))


def deliver_invitation(km) -> str | None:
    """Write the invitation's outbox message and deliver it, as a worker would."""
    return deliver(enqueue(Delivery.INVITATION, target=km).pk)


def test_the_delivery_sends_one_mail_and_records_it(frozen):
    km = make_km()

    assert deliver_invitation(km) == State.DELIVERED

    [message] = mail.outbox
    assert message.to == ["a.vanderberg@bakkerij.example.nl"]
    assert message.subject == "Ketenmachtiging voor Bakkerij De Gouden Korst & Zn. B.V."
    [event] = invitation_events(km)
    assert event.actor is None
    assert event.actor_kind == ActorKind.SYSTEM
    assert (event.from_status, event.to_status) == ("", "")
    assert event.note == "Uitnodiging verstuurd naar a.vanderberg@bakkerij.example.nl."
    km.refresh_from_db()
    assert km.status == Status.AANVRAAG_VERSTUURD
    assert km.invitation_sent_at == NOW


def test_the_invitation_is_sent_once():
    km = make_km()
    message = enqueue(Delivery.INVITATION, target=km)
    assert deliver(message.pk) == State.DELIVERED

    assert deliver(message.pk) is None  # redelivered: no longer pending
    assert deliver_invitation(km) == State.SKIPPED  # a second message: already sent

    assert len(mail.outbox) == 1
    assert len(invitation_events(km)) == 1


@pytest.mark.parametrize(
    "status",
    [Status.INGETROKKEN, Status.FOUT, Status.AANVRAAG_ONTVANGEN, Status.VERVALLEN, Status.ACTIEF],
)
def test_nothing_is_sent_when_no_longer_waiting(snapshot, status):
    km = make_km(status=status)
    before = snapshot(km)

    assert deliver_invitation(km) == State.SKIPPED

    assert mail.outbox == []
    assert snapshot(km) == before


def retry_now(message) -> None:
    """Skip the wait before the next attempt."""
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())


def test_an_smtp_failure_after_the_last_attempt_makes_it_fout(settings, snapshot):
    settings.EMAIL_BACKEND = "tests.mail_backends.DisconnectingBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 3
    DisconnectingBackend.attempts = 0
    km = make_km()
    before = snapshot(km)
    message = enqueue(Delivery.INVITATION, target=km)

    assert deliver(message.pk) == State.PENDING
    assert deliver(message.pk) is None  # not due yet: the first retry waits a minute
    retry_now(message)
    assert deliver(message.pk) == State.PENDING
    retry_now(message)
    assert deliver(message.pk) == State.FAILED

    assert DisconnectingBackend.attempts == 3
    reason = (
        "De uitnodiging kon niet worden verstuurd: "
        "SMTPServerDisconnected: Connection unexpectedly closed"
    )
    km.refresh_from_db()
    assert km.status == Status.FOUT
    assert km.status_reason == reason
    [event] = KetenmachtigingEvent.objects.filter(ketenmachtiging=km).exclude(
        pk__in=before["events"]
    )
    assert event.kind == EventKind.STATUS
    assert (event.from_status, event.to_status) == (Status.AANVRAAG_VERSTUURD, Status.FOUT)
    assert (event.actor, event.actor_kind) == (None, ActorKind.SYSTEM)
    assert event.note == reason
    assert invitation_events(km) == []
    assert mail.outbox == []
    # The beheerder reads why in the berichtenbox.
    [bericht] = Bericht.objects.filter(ketenmachtiging=km)
    assert bericht.organisation == km.intermediair
    assert bericht.subject == "Aanvraag voor Bakkerij De Gouden Korst & Zn. B.V. is mislukt"
    assert f"Reden: {reason}" in bericht.body
    message.refresh_from_db()
    assert (message.state, message.attempts) == (State.FAILED, 3)
    assert message.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"


def test_a_refused_address_is_fout_at_once(settings):
    """A 5xx answer to the recipient is final: no retries."""
    settings.OUTBOX_MAX_ATTEMPTS = 5
    with MailServer() as server:
        server.configure(settings)
        server.refuse_recipients = True
        km = make_km()

        assert deliver_invitation(km) == State.FAILED

    km.refresh_from_db()
    assert km.status == Status.FOUT
    assert km.status_reason == (
        "De uitnodiging kon niet worden verstuurd: De mailserver weigert het adres "
        "a.vanderberg@bakkerij.example.nl."
    )


def test_a_failure_does_not_touch_a_withdrawn_request(settings, snapshot):
    settings.EMAIL_BACKEND = "tests.mail_backends.DisconnectingBackend"
    km = make_km(status=Status.INGETROKKEN)
    before = snapshot(km)

    assert deliver_invitation(km) == State.SKIPPED  # nothing to send: no error either

    assert snapshot(km) == before


def test_staff_send_a_failed_invitation_again(settings, staff_user):
    """ "Verstuur opnieuw": the ketenmachtiging waits for its form again, with a new deadline,
    and the invitation goes out."""
    settings.EMAIL_BACKEND = "tests.mail_backends.DisconnectingBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 1
    km = make_km()
    message = enqueue(Delivery.INVITATION, target=km)
    assert deliver(message.pk) == State.FAILED
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    assert resend([message], acting_user=staff_user) == 1
    assert deliver(message.pk) == State.DELIVERED

    km.refresh_from_db()
    assert (km.status, km.status_reason) == (Status.AANVRAAG_VERSTUURD, "")
    assert km.invitation_sent_at is not None
    assert len(mail.outbox) == 1
    statuses = list(
        km.events.filter(kind=EventKind.STATUS).values_list("to_status", "actor_kind", "note")
    )
    assert statuses[-1] == (
        Status.AANVRAAG_VERSTUURD,
        ActorKind.STAFF,
        "Uitnodiging opnieuw verstuurd.",
    )


def test_requesting_a_ketenmachtiging_mails_the_contact_once(
    django_capture_on_commit_callbacks, frozen, beheerder
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        km = request_ketenmachtiging(
            acting_user=beheerder.user,
            intermediair=beheerder.organisation,
            relatie=OrganisationFactory(name="Garage Jansen"),
            scope=ScopeSelection(algemene_bevoegdheid=True),
            assignment=Assignment(),
            duration_years=5,
            contact=RelatieContact(initialen="J.", achternaam="Jansen", email="j@garage.example"),
            intermediair_email="kantoor@example.nl",
            intermediair_telefoon="0201234567",
            language="en",
            costs_agreed=True,
        )
        # Written with the request, before anything was sent.
        [message] = messages_for(km)
        assert (message.kind, message.state) == (Delivery.INVITATION, State.PENDING)

    assert len(callbacks) == 1
    [sent] = mail.outbox
    assert sent.to == ["j@garage.example"]
    assert sent.subject == "Chain authorisation for Garage Jansen"
    assert sent.attachments[0][0] == f"chain-authorisation-{km.request_code}.pdf"
    assert len(invitation_events(km)) == 1
    message.refresh_from_db()
    assert message.state == State.DELIVERED


# --- through a real SMTP connection -----------------------------------------------------------


def test_the_invitation_goes_out_over_smtp(settings):
    with MailServer() as server:
        server.configure(settings)
        km = make_km(relatie=OrganisationFactory(name="Garage Jansen"))
        message = enqueue(Delivery.INVITATION, target=km)

        assert deliver(message.pk) == State.DELIVERED

    [received] = server.messages()
    assert received.sender == "noreply@zlogin.nl"
    assert received.recipients == ["a.vanderberg@bakkerij.example.nl"]
    raw = received.data.decode("ascii")
    assert "Subject: Ketenmachtiging voor Garage Jansen\r\n" in raw
    assert "Reply-To: kantoor@vandijk.example.nl\r\n" in raw
    assert "Content-Type: text/html" in raw
    assert "Content-Type: application/pdf\r\n" in raw
    assert f'filename="ketenmachtiging-{km.request_code}.pdf"' in raw
    # One Message-ID per outbox message: a mail sent twice is recognisably the same mail.
    assert received.message["Message-ID"] == message_id(message)
    assert len(invitation_events(km)) == 1
