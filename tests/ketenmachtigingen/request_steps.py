"""Voeg nieuwe ketenmachtigingen toe, Eén bedrijf: the wizard's pages and its steps as a
beheerder takes them on the test client."""

from django.urls import reverse

ADD = reverse("ketenmachtigingen:add")
DIENSTEN = reverse("ketenmachtigingen:add_diensten")
GEBRUIKERS = reverse("ketenmachtigingen:add_gebruikers")
DUUR = reverse("ketenmachtigingen:add_duration")
SEND = reverse("ketenmachtigingen:add_send")
APPROVED = reverse("ketenmachtigingen:add_approved")


def select_company(client, number):
    return client.post(ADD, {"select_company": "1", "number": number}, follow=True)


def complete_steps(client, zet, dienst, collega):
    select_company(client, zet.kvk_nummer)
    client.post(DIENSTEN, {"diensten": [dienst.pk]})
    client.post(GEBRUIKERS, {"gebruikers": [collega.pk]})


SEND_DATA = {
    "contact_initialen": "J.",
    "contact_achternaam": "Zetman",
    "contact_email": "j.zetman@zet.example.nl",
    "contact_telefoon": "06 12345678",
    "intermediair_email": "km@pietersen.example.nl",
    "intermediair_telefoon": "030 1234567",
    "language": "en",
    "personal_message": "Graag snel retour.",
    "reference": "KLANT-42",
    "costs_agreed": "on",
}
