"""The second-factor pages and messages in Dutch (formal) and English: the setup and its steps,
backup codes, an extra phone number, the code at login and its throttling, and the admin's
names of the login libraries' models."""

import re
from html.parser import HTMLParser

import pyotp
import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice

from tests.factories import BeheerderFactory, UserFactory

from .login_form import code_for, post_code, post_password

pytestmark = pytest.mark.django_db

SETUP = "/account/two_factor/setup/"
WIZARD = "setup_view-current_step"

# Texts of the libraries (and their informal Dutch) that must not show in Dutch.
NOT_DUTCH = [
    "Token",
    "token",
    "Back",
    "Next",
    "Backup",
    "Congratulations",
    "Enable Two-Factor",
    "Account Security",
    "Generate",
    "generator",
    "Phone Number",
    "Method",
    "Text message",
    "Invalid",
    "Verification",
    "Entered",
    "Please",
    " je ",
    " jouw ",
    "Gefeliciteerd",
    "Tweestapsauthenticatie",
    "Accountbeveiliging",
]
# Dutch that must not show in English.
NOT_ENGLISH = [
    " uw ",
    "Vul ",
    "Reservecode",
    "reservecode",
    "Tweede factor",
    "tweede factor",
    "Volgende",
    "Vorige",
    "Telefoonnummer",
    "Mijn profiel",
    "Uitloggen",
    "Manier",
    "onjuist",
]


class _Visible(HTMLParser):
    """The text a person reads: body text, button labels and image descriptions."""

    def __init__(self):
        super().__init__()
        self.parts, self.links, self._skip = [], [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style", "title"):
            self._skip += 1
        if tag == "img" and attrs.get("alt"):
            self.parts.append(attrs["alt"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "title"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def read(response) -> _Visible:
    page = _Visible()
    page.feed(response.content.decode())
    page.text = " " + re.sub(r"\s+", " ", " ".join(page.parts)) + " "
    return page


def assert_language(page, language):
    shown = [s for s in (NOT_DUTCH if language == "nl" else NOT_ENGLISH) if s in page.text]
    assert shown == [], page.text


@pytest.fixture(params=["nl", "en"])
def language(request, client):
    client.cookies["django_language"] = request.param
    return request.param


@pytest.fixture
def newcomer(client):
    """A beheerder logged in with the password, without a second factor yet."""
    user = UserFactory()
    BeheerderFactory(user=user)
    client.force_login(user)
    return user


def wizard_post(client, step, data=None):
    return client.post(SETUP, {WIZARD: step, **(data or {})})


def test_setup_steps_speak_the_language(client, newcomer, language):
    pages = [read(client.get(SETUP))]
    pages.append(read(wizard_post(client, "welcome")))  # the choice: app or SMS
    pages.append(read(wizard_post(client, "method", {"method-method": "generator"})))
    pages.append(read(wizard_post(client, "generator", {"generator-token": "1"})))
    pages.append(read(wizard_post(client, "method", {"wizard_goto_step": "method"})))
    pages.append(read(wizard_post(client, "method", {"method-method": "sms"})))

    for page in pages:
        assert_language(page, language)
    welcome, method, generator, wrong_code, _, sms = pages
    if language == "nl":
        assert "Tweede factor instellen" in welcome.text
        assert "Authenticator-app" in method.text and "SMS" in method.text
        assert "Vul daarna de code in die de app toont." in generator.text
        assert "Deze code is onjuist. Controleer of u de code goed hebt ingevuld." in (
            wrong_code.text
        )
        assert "Telefoonnummer" in sms.text
    else:
        assert "Set up your second factor" in welcome.text
        assert "Token generator" in method.text and "Text message" in method.text
        assert "Then enter the code the app shows." in generator.text
        assert "Entered token is not valid." in wrong_code.text
        assert "Phone Number" in sms.text


def test_setup_with_the_app_ends_on_the_page_that_says_so(client, newcomer, language):
    wizard_post(client, "welcome")
    wizard_post(client, "method", {"method-method": "generator"})  # shows the QR code
    secret = client.session["django_two_factor-qr_secret_key"]
    done = wizard_post(client, "generator", {"generator-token": pyotp.TOTP(secret).now()})

    assert done.url == reverse("two_factor:setup_complete")
    complete = read(client.get(done.url))
    assert_language(complete, language)
    expected = "Tweede factor ingesteld" if language == "nl" else "Second factor set up"
    assert expected in complete.text


def test_backup_codes_speak_the_language(client, verified_login, beheerder, language):
    verified_login(beheerder.user)
    url = reverse("two_factor:backup_tokens")
    empty = read(client.get(url))
    client.post(url)
    with_codes = read(client.get(url))

    assert_language(empty, language)
    assert_language(with_codes, language)
    codes = StaticDevice.objects.get(user=beheerder.user).token_set.values_list("token", flat=True)
    assert len(codes) == 10
    assert all(code in with_codes.text for code in codes)
    if language == "nl":
        assert "U hebt nog geen reservecodes." in empty.text
        assert "Print deze codes of bewaar ze op een veilige plek." in with_codes.text
    else:
        assert "You do not have any backup codes yet." in empty.text
        assert "Print these codes or keep them in a safe place." in with_codes.text


def test_extra_phone_number_speaks_the_language(client, verified_login, beheerder, language):
    verified_login(beheerder.user)
    page = read(client.get(reverse("two_factor:phone_create")))

    assert_language(page, language)
    assert ("Telefoonnummer" if language == "nl" else "Phone Number") in page.text


@pytest.mark.parametrize(
    "name", ["two_factor:backup_tokens", "two_factor:setup_complete", "two_factor:phone_create"]
)
def test_every_link_of_the_second_factor_pages_opens(client, verified_login, beheerder, name):
    verified_login(beheerder.user)
    page = read(client.get(reverse(name)))
    links = [link for link in page.links if link.startswith("/")]

    assert reverse("accounts:profile") in links
    for link in links:
        assert client.get(link).status_code in (200, 302), link


def test_the_back_link_of_the_backup_codes_leads_to_the_profile(client, verified_login, beheerder):
    verified_login(beheerder.user)
    profile = client.get(reverse("accounts:profile"))
    assert reverse("two_factor:backup_tokens") in profile.content.decode()

    response = client.get(reverse("two_factor:backup_tokens"))
    assert f'<p class="breadcrumb"><a href="{reverse("accounts:profile")}">' in (
        response.content.decode()
    )


def test_wrong_code_and_the_pause_after_it_speak_the_language(client, beheerder, language):
    user = beheerder.user
    wrong = "000000" if code_for(user.totpdevice_set.get()) != "000000" else "111111"
    post_password(client, user.username)
    first = read(post_code(client, wrong))
    second = read(post_code(client, wrong))  # too soon after the first: django-otp pauses

    if language == "nl":
        assert "Deze code is onjuist. Controleer of u de code goed hebt ingevuld." in first.text
        assert (
            "Na 1 onjuiste code kunt u even geen code invullen. "
            "Probeer het over enkele seconden opnieuw." in second.text
        )
    else:
        assert "Invalid token. Please make sure you have entered it correctly." in first.text
        assert (
            "Verification temporarily disabled because of 1 failed attempt, "
            "please try again soon." in second.text
        )
    assert_language(first, language)
    assert_language(second, language)


def test_admin_index_names_the_login_libraries_models_in_dutch(client, verified_login):
    verified_login(UserFactory(is_staff=True, is_superuser=True, with_totp_device=True))
    text = read(client.get(reverse("admin:index"))).text

    for dutch in [
        "Inlogblokkades",
        "Mislukte inlogpogingen",
        "Logregels mislukte inlog",
        "Logregels geslaagde inlog",
        "Reservecodes",
        "Reservecodelijsten",
        "Authenticator-apps",
        "SMS-codes",
        "Telefoonnummers",
    ]:
        assert f" {dutch} " in text, dutch
    for english in ["Access attempts", "Access failures", "Access logs", "devices", "Axes", "Otp"]:
        assert english not in text, english


def test_admin_list_of_authenticator_apps_in_dutch(client, verified_login):
    verified_login(UserFactory(is_staff=True, is_superuser=True, with_totp_device=True))
    text = read(client.get(reverse("admin:otp_totp_totpdevice_changelist"))).text

    for dutch in ["Persoon", "Naam", "Aangemaakt op", "Laatst gebruikt op", "Bevestigd"]:
        assert f" {dutch} " in text, dutch
    for english in ["User", "Name", "Created at", "Last used at", "Confirmed"]:
        assert f" {english} " not in text, english


def test_admin_index_names_them_in_english_too(client, verified_login):
    verified_login(UserFactory(is_staff=True, is_superuser=True, with_totp_device=True))
    client.cookies["django_language"] = "en"
    text = read(client.get(reverse("admin:index"))).text

    for english in ["Login lockouts", "Access attempts", "Authenticator apps", "Phone numbers"]:
        assert f" {english} " in text, english


@pytest.mark.parametrize("model", ["otp_totp_totpdevice", "otp_static_staticdevice"])
def test_admin_device_pages_head_and_explain_in_dutch(client, verified_login, model):
    staff = UserFactory(is_staff=True, is_superuser=True, with_totp_device=True)
    verified_login(staff)
    device = staff.totpdevice_set.get() if "totp" in model else staff.staticdevice_set.create()
    text = read(client.get(reverse(f"admin:{model}_change", args=[device.pk]))).text

    for dutch in [
        " Identiteit ",
        " Tijdstippen ",
        " Persoon: ",
        " De persoon van wie dit middel is. ",
        " Aangemaakt op: ",
        " Laatst gebruikt op: ",
    ]:
        assert dutch in text, dutch
    for english in ["Identity", "Timestamps", "this device", "Created at", "the system"]:
        assert english not in text, english
    if "totp" in model:
        for dutch in [
            " Instellingen ",
            " Toestand ",
            " Vertraging na mislukte pogingen ",
            " Laatste mislukte poging: ",
            " Het aantal cijfers van een code. ",
        ]:
            assert dutch in text, dutch
        for english in ["Configuration", "Throttling", "State", "number of digits"]:
            assert english not in text, english


def test_admin_phone_number_page_explains_in_dutch(client, verified_login):
    staff = UserFactory(is_staff=True, is_superuser=True, with_totp_device=True)
    verified_login(staff)
    phone = staff.phonedevice_set.create(name="default", number="+31612345678", method="sms")

    text = read(client.get(reverse("admin:phonenumber_phonedevice_change", args=[phone.pk]))).text

    for dutch in [" De persoon van wie dit middel is. ", " Telefoonnummer: ", " Manier: "]:
        assert dutch in text, dutch
    assert "this device" not in text and "Hex-encoded" not in text
