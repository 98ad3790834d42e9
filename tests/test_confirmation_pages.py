"""Every destructive action asks first. Without JavaScript its trigger, a form sent with GET,
opens the action's confirmation page: the consequence and a POST form to the same address,
which alone acts. A GET never destroys (core/confirmation.py)."""

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse

from groepen.models import Groep
from ketenmachtigingen.constants import Status
from ketenmachtigingen.models import BulkRequest
from ketenmachtigingen.register import Company
from ketenmachtigingen.wizard import Draft
from tests.factories import (
    BulkRequestFactory,
    BulkRequestRowFactory,
    GroepFactory,
    KetenmachtigingFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


# --- the forms of a page, as a browser without JavaScript reads them ------------------------------


@dataclass
class Form:
    attrs: dict
    fields: dict = field(default_factory=dict)
    buttons: list = field(default_factory=list)
    links: list = field(default_factory=list)  # (href, text)


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms, self.links, self._form, self._text = [], [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = Form(attrs)
            self.forms.append(self._form)
        elif tag == "input" and self._form is not None and "name" in attrs:
            self._form.fields[attrs["name"]] = attrs.get("value", "")
        elif tag in ("button", "a"):
            self._text = (tag, attrs.get("href"), [])

    def handle_data(self, data):
        if self._text:
            self._text[2].append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif self._text and tag == self._text[0]:
            kind, href, text = self._text
            text = "".join(text).strip()
            if kind == "a":
                self.links.append((href, text))
            if self._form is not None:
                (self._form.buttons if kind == "button" else self._form.links).append(
                    text if kind == "button" else (href, text)
                )
            self._text = None


def parse(content: str) -> _Forms:
    parser = _Forms()
    parser.feed(content)
    return parser


def form_to(content: str, action: str) -> Form:
    [form] = [f for f in parse(content).forms if f.attrs.get("action") == action]
    return form


# --- the destructive actions ---------------------------------------------------------------------


@dataclass
class Action:
    trigger_page: str  # the page that shows its trigger
    url: str
    title: str
    consequence: str
    confirm_label: str
    cancel_url: str  # where "Annuleer" leads
    done: Callable[[], bool]  # read back from the database: did it happen?
    post_fields: dict = field(default_factory=dict)  # what the person fills in on the page


def _relatie_page(km, tab):
    return f"{reverse('ketenmachtigingen:relatie', args=[km.relatie_id])}?tab={tab}"


def _status_is(km, status):
    return lambda: type(km).objects.get(pk=km.pk).status == status


def withdraw(org, client):
    km = KetenmachtigingFactory(
        intermediair=org,
        aanvraag_verstuurd=True,
        relatie=OrganisationFactory(name="Bakkerij Jansen B.V."),
    )
    page = _relatie_page(km, "wachtend")
    return Action(
        trigger_page=page,
        url=reverse("ketenmachtigingen:withdraw", args=[km.pk]),
        title="Trek aanvraag in",
        consequence="De aanvraag voor Bakkerij Jansen B.V. wordt ingetrokken. De relatie kan "
        "het formulier dan niet meer gebruiken.",
        confirm_label="Ja, trek aanvraag in",
        cancel_url=page,
        done=_status_is(km, Status.INGETROKKEN),
    )


def remove_failed(org, client):
    km = KetenmachtigingFactory(
        intermediair=org, fout=True, relatie=OrganisationFactory(name="Drukkerij Vos")
    )
    page = _relatie_page(km, "wachtend")
    return Action(
        trigger_page=page,
        url=reverse("ketenmachtigingen:withdraw", args=[km.pk]),
        title="Verwijder aanvraag",
        consequence="De mislukte aanvraag voor Drukkerij Vos wordt verwijderd uit het "
        "overzicht. Daarna kunt u de ketenmachtiging opnieuw aanvragen.",
        confirm_label="Ja, verwijder aanvraag",
        cancel_url=page,
        done=_status_is(km, Status.INGETROKKEN),
    )


def remove_gebruiker(org, client):
    person = MembershipFactory(
        organisation=org, user=UserFactory(initials="S.", tussenvoegsel="de", last_name="Jong")
    )
    km = KetenmachtigingFactory(
        intermediair=org,
        actief=True,
        gebruikers=[person],
        relatie=OrganisationFactory(name="Kapsalon Knip & Co"),
    )
    page = _relatie_page(km, "actief")
    return Action(
        trigger_page=page,
        url=reverse("ketenmachtigingen:remove_gebruiker", args=[km.pk, person.pk]),
        title="Verwijder gebruiker",
        consequence="S. de Jong kan de ketenmachtiging van Kapsalon Knip &amp; Co daarna direct "
        "niet meer gebruiken.",
        confirm_label="Ja, verwijder gebruiker",
        cancel_url=page,
        done=lambda: not km.gebruikers.exists(),
    )


def remove_groep(org, client):
    groep = GroepFactory(organisation=org, name="Fiscalisten")
    km = KetenmachtigingFactory(
        intermediair=org,
        actief=True,
        groepen=[groep],
        relatie=OrganisationFactory(name="Bakkerij Jansen B.V."),
    )
    page = _relatie_page(km, "actief")
    return Action(
        trigger_page=page,
        url=reverse("ketenmachtigingen:remove_groep", args=[km.pk, groep.pk]),
        title="Verwijder groep",
        consequence="De gebruikers van groep Fiscalisten kunnen de ketenmachtiging van Bakkerij "
        "Jansen B.V. daarna niet meer via deze groep gebruiken. De groep zelf blijft bestaan.",
        confirm_label="Ja, verwijder groep",
        cancel_url=page,
        done=lambda: not km.groepen.exists() and Groep.objects.filter(pk=groep.pk).exists(),
    )


def revoke_relatie(org, client):
    km = KetenmachtigingFactory(
        intermediair=org, actief=True, relatie=OrganisationFactory(name="Bakkerij Jansen B.V.")
    )
    return Action(
        trigger_page=_relatie_page(km, "actief"),
        url=reverse("ketenmachtigingen:revoke_relatie", args=[km.relatie_id]),
        title="Verwijder bedrijf",
        consequence="Let op! Dit kan niet ongedaan gemaakt worden.",
        confirm_label="Ja, verwijder bedrijf",
        cancel_url=reverse("ketenmachtigingen:overview"),
        done=_status_is(km, Status.INGETROKKEN),
        post_fields={"wanneer": "direct"},
    )


def revoke_one(org, client):
    relatie = OrganisationFactory(name="Garage Snel")
    km, _other = (
        KetenmachtigingFactory(intermediair=org, actief=True, relatie=relatie) for _ in range(2)
    )
    return Action(
        trigger_page=_relatie_page(km, "actief"),
        url=reverse("ketenmachtigingen:revoke", args=[km.pk]),
        title="Trek ketenmachtiging in",
        consequence="Let op! Dit kan niet ongedaan gemaakt worden.",
        confirm_label="Ja, trek ketenmachtiging in",
        cancel_url=reverse("ketenmachtigingen:overview"),
        done=_status_is(km, Status.INGETROKKEN),
        post_fields={"wanneer": "direct"},
    )


def delete_import(org, client):
    bulk = BulkRequestFactory(organisation=org, filename="relaties-maart.xlsx")
    BulkRequestRowFactory.create_batch(3, bulk_request=bulk)
    page = reverse("ketenmachtigingen:bulk_detail", args=[bulk.pk])
    return Action(
        trigger_page=page,
        url=reverse("ketenmachtigingen:bulk_delete", args=[bulk.pk]),
        title="Verwijder de import",
        consequence="De import relaties-maart.xlsx met 3 bedrijven wordt verwijderd. U begint "
        "dan opnieuw met stap 1.",
        confirm_label="Ja, verwijder de import",
        cancel_url=page,
        done=lambda: not BulkRequest.objects.filter(pk=bulk.pk).exists(),
    )


def delete_groep(org, client):
    groep = GroepFactory(organisation=org, name="Loonadministratie")
    KetenmachtigingFactory(intermediair=org, actief=True, groepen=[groep])
    page = reverse("groepen:detail", args=[groep.pk])
    return Action(
        trigger_page=page,
        url=reverse("groepen:delete", args=[groep.pk]),
        title="Verwijder groep",
        consequence="De groep “Loonadministratie” wordt verwijderd. De groep wordt gebruikt in "
        "1 ketenmachtiging. De gebruikers van de groep kunnen die daarna niet meer via deze "
        "groep gebruiken.",
        confirm_label="Ja, verwijder groep",
        cancel_url=page,
        done=lambda: not Groep.objects.filter(pk=groep.pk).exists(),
    )


def restart(org, client):
    key = f"ketenmachtiging_draft:{org.pk}"
    session = client.session
    company = Company(name="Bakkerij Jansen B.V.", kvk_nummer="39078749")
    session[key] = asdict(Draft(company=asdict(company), algemene_bevoegdheid=True))
    session.save()
    return Action(
        trigger_page=reverse("ketenmachtigingen:add"),
        url=reverse("ketenmachtigingen:add_restart"),
        title="Begin opnieuw",
        consequence="Het gekozen bedrijf Bakkerij Jansen B.V. en uw keuzes in stap 2 tot en "
        "met 4 worden gewist. U begint dan opnieuw met stap 1.",
        confirm_label="Ja, begin opnieuw",
        cancel_url=f"{reverse('ketenmachtigingen:add')}#stap-3",
        done=lambda: key not in client.session,
    )


ACTIONS = [
    withdraw,
    remove_failed,
    remove_gebruiker,
    remove_groep,
    revoke_relatie,
    revoke_one,
    delete_import,
    delete_groep,
    restart,
]


@pytest.fixture(params=ACTIONS, ids=lambda make: make.__name__)
def action(request, beheerder, portal):
    return request.param(beheerder.organisation, portal)


# --- the tests -----------------------------------------------------------------------------------


def test_the_trigger_opens_a_confirmation_page_and_only_its_post_acts(portal, action):
    trigger = form_to(portal.get(action.trigger_page).content.decode(), action.url)
    assert trigger.attrs.get("method") == "get" and "data-confirm" in trigger.attrs
    assert "csrfmiddlewaretoken" not in trigger.fields  # never in an address

    response = portal.get(action.url, trigger.fields)  # what the browser sends
    content = response.content.decode()
    assert response.status_code == 200
    assert f"<h1>{action.title}</h1>" in content
    assert action.consequence in content
    assert not action.done()  # asking changes nothing

    confirm = form_to(content, action.url)
    assert confirm.attrs["method"] == "post"
    assert action.confirm_label in confirm.buttons
    assert (action.cancel_url, "Annuleer") in confirm.links + parse(content).links
    portal.post(action.url, {**confirm.fields, **action.post_fields})
    assert action.done()


def test_a_get_never_destroys(portal, action):
    for _ in range(2):
        assert portal.get(action.url, {"next": action.trigger_page}).status_code == 200
        portal.head(action.url)
    assert not action.done()


def test_annuleer_leads_back_only_to_a_page_of_the_portal(portal, beheerder):
    action = withdraw(beheerder.organisation, portal)
    overview = f"{reverse('ketenmachtigingen:overview')}?tab=wachtend"

    for foreign in ["https://elders.example/", "//elders.example/", "javascript:alert(1)"]:
        confirm = form_to(portal.get(action.url, {"next": foreign}).content.decode(), action.url)
        assert confirm.links == [(overview, "Annuleer")]
        assert "next" not in confirm.fields


def test_names_are_escaped(portal, beheerder):
    km = KetenmachtigingFactory(
        intermediair=beheerder.organisation,
        aanvraag_verstuurd=True,
        relatie=OrganisationFactory(name="<b>Vet</b> & Co"),
    )

    content = portal.get(reverse("ketenmachtigingen:withdraw", args=[km.pk])).content.decode()

    assert "De aanvraag voor &lt;b&gt;Vet&lt;/b&gt; &amp; Co wordt ingetrokken." in content
    assert "<b>Vet</b>" not in content


def test_the_question_in_english(portal, beheerder):
    action = remove_gebruiker(beheerder.organisation, portal)
    portal.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    content = portal.get(action.url).content.decode()

    assert "<h1>Remove user</h1>" in content
    assert (
        "S. de Jong can then no longer use the chain authorisation of Kapsalon Knip &amp; Co, "
        "with immediate effect."
    ) in content
    overview = f"{reverse('ketenmachtigingen:overview')}?tab=actief"
    assert (overview, "Cancel") in form_to(content, action.url).links


def test_a_user_who_keeps_access_through_a_groep_is_told_so(portal, beheerder):
    org = beheerder.organisation
    person = MembershipFactory(
        organisation=org, user=UserFactory(initials="P.", last_name="Visser")
    )
    groep = GroepFactory(organisation=org, name="Fiscalisten", members=[person])
    km = KetenmachtigingFactory(
        intermediair=org,
        actief=True,
        gebruikers=[person],
        groepen=[groep],
        relatie=OrganisationFactory(name="Drukkerij Vos"),
    )

    url = reverse("ketenmachtigingen:remove_gebruiker", args=[km.pk, person.pk])
    content = portal.get(url).content.decode()

    assert (
        "P. Visser wordt verwijderd uit de ketenmachtiging van Drukkerij Vos, maar houdt "
        "toegang via groep Fiscalisten."
    ) in content


def test_an_active_ketenmachtiging_has_no_withdraw_question(portal, beheerder):
    km = KetenmachtigingFactory(intermediair=beheerder.organisation, actief=True)

    assert portal.get(reverse("ketenmachtigingen:withdraw", args=[km.pk])).status_code == 404


def test_a_sent_import_is_not_offered_for_removal(portal, beheerder):
    bulk = BulkRequestFactory(organisation=beheerder.organisation, state="sending")

    response = portal.get(reverse("ketenmachtigingen:bulk_delete", args=[bulk.pk]))

    assert response.url == reverse("ketenmachtigingen:bulk_progress", args=[bulk.pk])
    assert BulkRequest.objects.filter(pk=bulk.pk).exists()
