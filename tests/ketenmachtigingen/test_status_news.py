"""Status news: every status change of a request tells the intermediair with one bericht and one
mail to its afzender address; a nightly job tells each intermediair once; the Wachtend tab shows
status, sent date and deadline without opening a row."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from berichtenbox.models import Bericht
from ketenmachtigingen import dates, jobs
from ketenmachtigingen.constants import Delivery
from ketenmachtigingen.services import lifecycle
from outbox.models import OutboxMessage
from tests.factories import BeheerderFactory, KetenmachtigingFactory, OrganisationFactory

AFZENDER = "afzender@intermediair.example.nl"
REASON = "Handtekening ontbreekt <b>bij</b> de tekenbevoegde."

# The intermediair (and so the beheerder's organisation) has an afzender address for status mail.
pytestmark = [pytest.mark.django_db, pytest.mark.intermediair(afzender_email=AFZENDER)]


def status_mails():
    return OutboxMessage.objects.filter(kind=Delivery.STATUS_MAIL)


def _now_minus(days):
    return timezone.now() - datetime.timedelta(days=days)


# Each status change made by a person or a single-row job: (trait, action, new status).
CHANGES = [
    (
        "aanvraag_verstuurd",
        lambda km, u: lifecycle.mark_received(km, acting_user=u),
        "Aanvraag ontvangen",
    ),
    (
        "aanvraag_ontvangen",
        lambda km, u: lifecycle.mark_incomplete(km, acting_user=u, reason=REASON),
        "Incompleet",
    ),
    (
        "aanvraag_verstuurd",
        lambda km, u: lifecycle.mark_failed(km, acting_user=u, reason=REASON),
        "Fout",
    ),
    ("aanvraag_ontvangen", lambda km, u: lifecycle.activate(km, acting_user=u), "Actief"),
    ("aanvraag_verstuurd", lambda km, u: lifecycle.withdraw(km, acting_user=u), "Ingetrokken"),
    ("actief", lambda km, u: lifecycle.revoke_now(km, acting_user=u), "Ingetrokken"),
    ("fout", lambda km, u: lifecycle.resend_invitation(km, acting_user=u), "Aanvraag verstuurd"),
]


@pytest.mark.parametrize(("trait", "change", "label"), CHANGES)
def test_each_status_change_writes_one_bericht_and_one_mail(
    intermediair, staff_user, django_capture_on_commit_callbacks, trait, change, label
):
    km = KetenmachtigingFactory(intermediair=intermediair, **{trait: True})

    with django_capture_on_commit_callbacks(execute=True):
        change(km, staff_user)

    [bericht] = Bericht.objects.all()
    assert (bericht.organisation_id, bericht.ketenmachtiging_id) == (intermediair.pk, km.pk)
    [message] = status_mails()
    assert (message.target_id, message.state) == (intermediair.pk, "delivered")
    [sent] = [m for m in mail.outbox if m.to == [AFZENDER]]
    assert sent.subject == f"Ketenmachtiging van {km.relatie.name}: {label}"
    assert (
        f"De status van de ketenmachtiging van {km.relatie.name} "
        f"(aanvraagcode {km.request_code}) is gewijzigd in {label}." in sent.body
    )
    assert sent.body.startswith("Geachte heer/mevrouw,")


def test_the_fout_reason_reaches_the_intermediair_in_bericht_and_mail(
    intermediair, staff_user, django_capture_on_commit_callbacks
):
    km = KetenmachtigingFactory(intermediair=intermediair, aanvraag_ontvangen=True)

    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.mark_failed(km, acting_user=staff_user, reason=REASON)

    assert f"Reden: {REASON}" in Bericht.objects.get().body
    [sent] = [m for m in mail.outbox if m.to == [AFZENDER]]
    assert f"Toelichting van Z login: {REASON}" in sent.body


def test_without_an_afzender_address_only_the_bericht_tells(
    staff_user, django_capture_on_commit_callbacks
):
    km = KetenmachtigingFactory(aanvraag_ontvangen=True, intermediair__afzender_email="")

    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.activate(km, acting_user=staff_user)

    assert Bericht.objects.count() == 1
    assert status_mails().get().state != "pending"
    assert [m for m in mail.outbox if m.subject.startswith("Ketenmachtiging van")] == []


def test_the_mails_are_in_the_language_the_afzender_chose(
    intermediair, staff_user, django_capture_on_commit_callbacks
):
    intermediair.afzender_language = "en"
    intermediair.save()
    km = KetenmachtigingFactory(intermediair=intermediair, aanvraag_ontvangen=True)
    BeheerderFactory(organisation=intermediair, user__email="beheerder@intermediair.example.nl")

    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.activate(km, acting_user=staff_user)

    [sent] = [m for m in mail.outbox if m.to == [AFZENDER]]
    assert sent.body.startswith("Dear Sir or Madam,")
    assert sent.subject == f"Chain authorisation of {km.relatie.name}: Active"
    [announcement] = [m for m in mail.outbox if m.to == ["beheerder@intermediair.example.nl"]]
    assert announcement.subject == "A new message is waiting for you in Mijn Z login"
    assert f"- Chain authorisation of {km.relatie.name}: Active" in announcement.body


@pytest.mark.parametrize(
    ("language", "subject", "first_line"),
    [
        ("nl", "Ketenmachtiging van {name}: Actief", "De status van de ketenmachtiging van"),
        ("en", "Chain authorisation of {name}: Active", "The status of the chain authorisation"),
    ],
)
def test_a_bericht_reads_in_the_language_of_the_reader(
    client, verified_login, staff_user, language, subject, first_line
):
    """Any beheerder reads a bericht later, each in the language they chose."""
    beheerder = BeheerderFactory(organisation=OrganisationFactory(intermediair=True))
    km = KetenmachtigingFactory(intermediair=beheerder.organisation, aanvraag_ontvangen=True)
    lifecycle.activate(km, acting_user=staff_user)
    verified_login(beheerder.user)
    client.post("/i18n/setlang/", {"language": language, "next": "/"})

    listed = client.get(reverse("berichtenbox:list")).content.decode()
    bericht = Bericht.objects.get()
    page = client.get(reverse("berichtenbox:detail", args=[bericht.pk])).content.decode()

    assert subject.format(name=km.relatie.name) in listed
    assert f"<h1>{subject.format(name=km.relatie.name)}</h1>" in page
    assert first_line in page


def test_an_incompleet_bericht_is_written_in_both_languages(staff_user):
    km = KetenmachtigingFactory(aanvraag_ontvangen=True, relatie__name="Bakkerij Jansen B.V.")

    lifecycle.mark_incomplete(km, acting_user=staff_user, reason="Handtekening ontbreekt.")

    bericht = Bericht.objects.get()
    assert bericht.subject == "Aanvraag incompleet: Bakkerij Jansen B.V."
    assert bericht.translations["en"]["subject"] == "Request incomplete: Bakkerij Jansen B.V."
    assert "What is missing:\n\nHandtekening ontbreekt." in bericht.translations["en"]["body"]
    with translation.override("en"):
        assert bericht.localized_subject == "Request incomplete: Bakkerij Jansen B.V."


def test_a_nightly_job_tells_each_intermediair_once(
    intermediair, django_capture_on_commit_callbacks
):
    other = OrganisationFactory(intermediair=True, afzender_email="ander@example.nl")
    yesterday = dates.today() - datetime.timedelta(days=1)
    start = dates.add_years(yesterday, -5)
    mine = [
        KetenmachtigingFactory(
            intermediair=intermediair, actief=True, start_date=start, end_date=yesterday
        )
        for _ in range(3)
    ]
    theirs = KetenmachtigingFactory(
        intermediair=other, actief=True, start_date=start, end_date=yesterday
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.expire(dates.today()) == 4

    assert Bericht.objects.filter(organisation=intermediair).count() == 1
    assert Bericht.objects.filter(organisation=other).count() == 1
    assert Bericht.objects.get(organisation=intermediair).subject == "3 ketenmachtigingen: Verlopen"
    assert status_mails().count() == 2
    [sent] = [m for m in mail.outbox if m.to == [AFZENDER]]
    for km in mine:
        assert f"- {km.relatie.name} (aanvraagcode {km.request_code})" in sent.body
    assert theirs.relatie.name not in sent.body


# --- the Wachtend op afhandeling tab ----------------------------------------------------------

OVERVIEW = reverse("ketenmachtigingen:overview")


def waiting(org, name, **kwargs):
    return KetenmachtigingFactory(
        intermediair=org, relatie=OrganisationFactory(name=name), **kwargs
    )


def test_wachtend_rows_show_status_sent_date_and_days_left(portal, beheerder):
    org = beheerder.organisation
    sent_at = _now_minus(30)
    waiting(org, "Verstuurd BV", aanvraag_verstuurd=True, sent_at=sent_at)
    fout = waiting(org, "Fout BV", fout=True)
    fout.status_reason = REASON
    fout.save()
    deadline = dates.invitation_deadline(sent_at)
    days_left = (deadline - dates.today()).days

    with translation.override("nl"):
        html = portal.get(OVERVIEW, {"tab": "wachtend"}).content.decode()

    verstuurd_row = html[html.index("Verstuurd BV") :]
    verstuurd_row = verstuurd_row[: verstuurd_row.index("</summary>")]
    assert "Aanvraag verstuurd" in verstuurd_row
    assert f"verstuurd op {timezone.localdate(sent_at).day} " in verstuurd_row
    assert f"(nog {days_left} dagen)" in verstuurd_row
    fout_row = html[html.index("Fout BV") :]
    assert ">Fout<" in fout_row[: fout_row.index("</summary>")]


def test_several_waiting_ones_show_each_status_and_the_most_urgent_deadline(beheerder):
    from ketenmachtigingen.selectors import OverviewFilters, overview_page

    org = beheerder.organisation
    relatie = OrganisationFactory(name="Drie Aanvragen BV")
    first = _now_minus(80)
    for sent_at in (first, _now_minus(10)):
        KetenmachtigingFactory(
            intermediair=org, relatie=relatie, aanvraag_verstuurd=True, sent_at=sent_at
        )
    KetenmachtigingFactory(
        intermediair=org, relatie=relatie, incompleet=True, sent_at=_now_minus(90)
    )

    _page, [row] = overview_page(org, "wachtend", OverviewFilters(), 1)

    assert row.count == 3
    assert [(s.label, s.count) for s in row.waiting.statuses] == [
        ("Incompleet", 1),
        ("Aanvraag verstuurd", 2),
    ]
    assert row.waiting.sent_at == first
    assert row.waiting.deadline.day == dates.invitation_deadline(first)
    assert row.waiting.deadline.days_left == (dates.invitation_deadline(first) - dates.today()).days


def _queries_for_wachtend(portal):
    with CaptureQueriesContext(connection) as queries:
        response = portal.get(OVERVIEW, {"tab": "wachtend"})
    assert response.status_code == 200
    return len(queries)


def test_wachtend_query_count_does_not_grow_with_the_rows(
    portal, beheerder, django_assert_num_queries
):
    org = beheerder.organisation
    for i in range(2):
        waiting(org, f"Klein {i}", aanvraag_verstuurd=True)
    small = _queries_for_wachtend(portal)
    for i in range(20):
        waiting(org, f"Groot {i}", **{("fout", "incompleet", "aanvraag_verstuurd")[i % 3]: True})

    with django_assert_num_queries(small):
        portal.get(OVERVIEW, {"tab": "wachtend"})


def test_details_show_sent_date_deadline_and_the_escaped_fout_reason(portal, beheerder):
    org = beheerder.organisation
    fout = waiting(org, "Fout BV", fout=True)
    fout.status_reason = REASON
    fout.save()
    verstuurd = waiting(org, "Verstuurd BV", aanvraag_verstuurd=True, sent_at=_now_minus(5))

    url = reverse("ketenmachtigingen:relatie", args=[fout.relatie_id])
    html = portal.get(url, {"tab": "wachtend"}).content.decode()
    assert "Handtekening ontbreekt &lt;b&gt;bij&lt;/b&gt; de tekenbevoegde." in html
    assert "<b>bij</b>" not in html
    assert "Aanvraag verstuurd op" in html

    url = reverse("ketenmachtigingen:relatie", args=[verstuurd.relatie_id])
    html = portal.get(url, {"tab": "wachtend"}).content.decode()
    days_left = (dates.invitation_deadline(verstuurd.sent_at) - dates.today()).days
    assert "Uiterste datum" in html
    assert f"(nog {days_left} dagen)" in html
    assert "Aanvraag verstuurd" in html
