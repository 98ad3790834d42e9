"""Demo data for the embedded default: organisations, people, groups and ketenmachtigingen in
every status. Running it again changes nothing; it refuses to run with DEBUG off."""

import base64
import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum.nl import bsn

from accounts.constants import EHNiveau, Role, SecondFactor
from accounts.models import Membership, Organisation, User
from catalogue.loading import load_catalogue
from catalogue.models import Dienst, Dienstverlener
from groepen.models import Groep
from ketenmachtigingen import dates, jobs
from ketenmachtigingen.constants import Leverancier
from ketenmachtigingen.models import Ketenmachtiging, RegisterEntry
from ketenmachtigingen.services import creation, lifecycle

DEMO_PASSWORD = "Ketenmachtiging-2026"  # noqa: S105 - published in the README on purpose

# (username, initials, tussenvoegsel, achternaam, TOTP secret in base32 or None, is_staff)
PEOPLE = [
    ("beheerder", "A.B.M.", "", "Pietersen", "JBSWY3DPEHPK3PXP", False),
    ("jansen", "H.", "", "Jansen", "KRSXG5CTMVRXEZLU", False),
    ("e.bos", "E.", "", "Bos", "MFRGGZDFMZTWQ2LK", False),
    ("j.mulder", "J.", "", "Mulder", "ONSWG4TFOQ2DKNJW", False),
    ("medewerker", "Z.", "", "Medewerker", "GEZDGNBVGY3TQOJQ", True),
    ("k.vries", "K.", "de", "Vries", None, False),
    ("m.bakker", "M.", "", "Bakker", None, False),
    ("s.jong", "S.", "de", "Jong", None, False),
    ("p.visser", "P.", "", "Visser", None, False),
    ("l.smit", "L.", "", "Smit", None, False),
    ("r.meijer", "R.", "", "Meijer", None, False),
    ("t.dekker", "T.", "", "Dekker", None, False),
]

INTERMEDIAIRS = [
    # (kvk, name, straat, huisnummer, postcode, plaats)
    ("70123456", "Pietersen Administratie B.V.", "Stationsplein", "12", "3511ED", "Utrecht"),
    ("70234567", "Loonbureau De Vries B.V.", "Marktstraat", "8", "8011LC", "Zwolle"),
    ("70345678", "Accountantskantoor Jansen & Co", "Keizersgracht", "221", "1016DV", "Amsterdam"),
]

# (username, intermediair index, role, niveau, second factor, belastingdienst only)
MIDDELEN = [
    ("beheerder", 0, Role.BEHEERDER, EHNiveau.EH3, SecondFactor.OTP, False),
    ("beheerder", 1, Role.BEHEERDER, EHNiveau.EH3, SecondFactor.OTP, False),
    ("jansen", 2, Role.BEHEERDER, EHNiveau.EH3, SecondFactor.OTP, False),
    ("e.bos", 0, Role.BEHEERDER, EHNiveau.EH2_PLUS, SecondFactor.OTP, False),
    ("j.mulder", 0, Role.GEBRUIKER, EHNiveau.EH3, SecondFactor.OTP, False),
    ("k.vries", 0, Role.GEBRUIKER, EHNiveau.EH2, SecondFactor.SMS, False),
    ("m.bakker", 0, Role.GEBRUIKER, EHNiveau.EH2_PLUS, SecondFactor.SMS, False),
    ("s.jong", 0, Role.GEBRUIKER, EHNiveau.EH3, SecondFactor.OTP, False),
    ("p.visser", 0, Role.GEBRUIKER, EHNiveau.EH4, SecondFactor.OTP, False),
    ("l.smit", 0, Role.GEBRUIKER, EHNiveau.EH3, SecondFactor.SMS, True),
    ("r.meijer", 0, Role.GEBRUIKER, EHNiveau.EH3, SecondFactor.SMS, False),
    ("t.dekker", 1, Role.GEBRUIKER, EHNiveau.EH3, SecondFactor.OTP, False),
    ("s.jong", 1, Role.GEBRUIKER, EHNiveau.EH3, SecondFactor.OTP, False),
]

# The local company register: (kvk, name, straat, huisnummer, postcode, plaats)
REGISTER = [
    ("39078749", "ZET solutions B.V.", "Albert Einsteinweg", "4", "8218NH", "Lelystad"),
    ("68750110", "Test BV Donald", "Hizzaarderlaan", "3", "8823SJ", "Lollum"),
    ("69599084", "Test EMZ Dagobert", "Abebe Bikilalaan", "17", "1067ZA", "Amsterdam"),
    ("30112233", "Bakkerij Van den Berg B.V.", "Dorpsstraat", "21", "3731GC", "De Bilt"),
    ("30223344", "Hoveniersbedrijf Groen & Zn.", "Kerkweg", "5", "3603CL", "Maarssen"),
    ("30334455", "Transportbedrijf Kok B.V.", "Industrieweg", "44", "3542AD", "Utrecht"),
    ("30445566", "Installatietechniek Mulder B.V.", "Energieweg", "9", "3812PW", "Amersfoort"),
    ("30556677", "Kapsalon Knip & Co", "Voorstraat", "102", "3512AN", "Utrecht"),
    ("30667788", "Restaurant De Gouden Leeuw", "Oudegracht", "150", "3511AZ", "Utrecht"),
    ("30778899", "Schildersbedrijf Hendriks", "Ambachtsweg", "12", "3771MG", "Barneveld"),
    ("30889900", "Fysiotherapie Oost B.V.", "Laan van Nieuw Oost-Indië", "7", "2593BL", "Den Haag"),
    ("31001122", "Autobedrijf Van Dijk B.V.", "Rijksstraatweg", "88", "3545NG", "Utrecht"),
    ("31112233", "Drukkerij Vos", "Papiermolen", "3", "3994DK", "Houten"),
    ("31223344", "ICT Beheer Brouwer B.V.", "Papendorpseweg", "100", "3528BJ", "Utrecht"),
    ("31334455", "Tandartspraktijk Peters", "Biltstraat", "64", "3572BC", "Utrecht"),
    ("31445566", "Bouwbedrijf De Graaf B.V.", "Havenweg", "2", "4131NL", "Vianen"),
    ("31556677", "Kinderopvang Het Zonnetje", "Speelweg", "11", "3437JP", "Nieuwegein"),
    ("31667788", "Stichting Zorg Dichtbij", "Zorgplein", "1", "3821AA", "Amersfoort"),
    ("31778899", "Bloemenhandel Jacobs", "Veilingweg", "33", "1431GJ", "Aalsmeer"),
    ("31889900", "Advocatenkantoor Van Leeuwen", "Maliebaan", "45", "3581CD", "Utrecht"),
    ("32001122", "Timmerfabriek Koster B.V.", "Zaagmolen", "6", "3447GS", "Woerden"),
    ("32112233", "Slagerij Willems", "Markt", "4", "3431LA", "Nieuwegein"),
    ("32223344", "Cateringbedrijf Smaakvol B.V.", "Keukenlaan", "19", "3439MK", "Nieuwegein"),
    ("32334455", "Makelaardij Van der Linden", "Maliesingel", "30", "3581BK", "Utrecht"),
    ("32445566", "Schoonmaakbedrijf Blinkend B.V.", "Poetsweg", "8", "3762EP", "Soest"),
    ("32556677", "Architectenbureau Lines", "Catharijnesingel", "53", "3511GD", "Utrecht"),
    ("32667788", "Fietsenmaker Snel", "Wielstraat", "2", "3581VE", "Utrecht"),
    ("32778899", "Huisartsenpraktijk Lunetten", "Hondsrug", "25", "3524BP", "Utrecht"),
    ("32889900", "Zonnepanelen Noord B.V.", "Zonneweg", "70", "9723ZE", "Groningen"),
    ("33001122", "Webwinkel Alles Online B.V.", "Klikstraat", "1", "1014BA", "Amsterdam"),
]


def _rsin_for(seed: int) -> str:
    """The first 9-digit number from `seed` on that passes the elfproef (demo RSINs)."""
    number = seed
    while not bsn.is_valid(f"{number:09d}"):
        number += 1
    return f"{number:09d}"


class Command(BaseCommand):
    help = "Load demo organisations, people, groups and ketenmachtigingen (development only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("demo_data only runs with DEBUG on: it publishes its passwords.")
        with transaction.atomic():
            load_catalogue(Dienstverlener, Dienst)
            self.register = self._register()
            self.people = self._people()
            self.intermediairs = self._intermediairs()
            self.middelen = self._middelen()
            self.groepen = self._groepen()
            created = self._ketenmachtigingen()
            self._berichten()
        self.stdout.write(
            f"Demo data: {len(self.register)} bedrijven in het register, "
            f"{len(self.people)} personen, {created} nieuwe ketenmachtigingen "
            f"({Ketenmachtiging.objects.count()} in totaal)."
        )

    # --- organisations and people ------------------------------------------------------------

    def _register(self):
        entries = []
        for index, (kvk, name, straat, nr, postcode, plaats) in enumerate(REGISTER):
            entry, _ = RegisterEntry.objects.update_or_create(
                kvk_nummer=kvk,
                defaults={
                    "name": name,
                    "rsin": _rsin_for(800000000 + index * 1000),
                    "straat": straat,
                    "huisnummer": nr,
                    "postcode": postcode,
                    "plaats": plaats,
                },
            )
            entries.append(entry)
        return entries

    def _people(self):
        people = {}
        for username, initials, tussenvoegsel, achternaam, secret, is_staff in PEOPLE:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "initials": initials,
                    "tussenvoegsel": tussenvoegsel,
                    "last_name": achternaam,
                    "email": f"{username}@example.nl",
                    "phone_number": "+31612345678",
                    "is_staff": is_staff,
                    "is_superuser": is_staff,
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            if secret:
                TOTPDevice.objects.get_or_create(
                    user=user,
                    name="default",
                    defaults={"key": base64.b32decode(secret).hex(), "confirmed": True},
                )
            people[username] = user
        return people

    def _intermediairs(self):
        organisations = []
        for index, (kvk, name, straat, nr, postcode, plaats) in enumerate(INTERMEDIAIRS):
            organisation, _ = Organisation.objects.update_or_create(
                kvk_nummer=kvk,
                defaults={
                    "name": name,
                    "rsin": _rsin_for(850000000 + index * 1000),
                    "straat": straat,
                    "huisnummer": nr,
                    "postcode": postcode,
                    "plaats": plaats,
                    "ketenmachtigingen_enabled": True,
                    "afzender_email": f"ketenmachtigingen@{name.split()[0].lower()}.example.nl",
                    "afzender_telefoon": "+31301234567",
                },
            )
            organisations.append(organisation)
        return organisations

    def _middelen(self):
        middelen = {}
        for username, org_index, role, niveau, factor, bd_only in MIDDELEN:
            membership, _ = Membership.objects.update_or_create(
                user=self.people[username],
                organisation=self.intermediairs[org_index],
                defaults={
                    "role": role,
                    "eh_niveau": niveau,
                    "second_factor": factor,
                    "belastingdienst_only": bd_only,
                },
            )
            middelen[(username, org_index)] = membership
        return middelen

    def _groepen(self):
        pietersen = self.intermediairs[0]
        fiscalisten, _ = Groep.objects.update_or_create(
            organisation=pietersen, name="Fiscalisten", defaults={"algemene_bevoegdheid": True}
        )
        fiscalisten.members.set([self.middelen[("s.jong", 0)], self.middelen[("p.visser", 0)]])
        loon, _ = Groep.objects.update_or_create(
            organisation=pietersen, name="Loonadministratie", defaults={}
        )
        loon.members.set([self.middelen[("r.meijer", 0)], self.middelen[("l.smit", 0)]])
        loon.dienstverleners.set(Dienstverlener.objects.filter(name="UWV"))
        loon.diensten.set(Dienst.objects.filter(name="Aangifte loonheffingen"))
        jansen_team, _ = Groep.objects.update_or_create(
            organisation=self.intermediairs[2],
            name="Team Jansen",
            defaults={"algemene_bevoegdheid": True},
        )
        return {"fiscalisten": fiscalisten, "loon": loon, "jansen": jansen_team}

    def _relatie(self, entry: RegisterEntry) -> Organisation:
        organisation, _ = Organisation.objects.get_or_create(
            kvk_nummer=entry.kvk_nummer,
            defaults={
                "name": entry.name,
                "rsin": entry.rsin,
                "straat": entry.straat,
                "huisnummer": entry.huisnummer,
                "postcode": entry.postcode,
                "plaats": entry.plaats,
            },
        )
        return organisation

    # --- ketenmachtigingen -----------------------------------------------------------------

    def _ketenmachtigingen(self) -> int:
        today = dates.today()
        beheerder = self.people["beheerder"]
        belastingdienst = Dienstverlener.objects.get(name="Belastingdienst")
        uwv = Dienstverlener.objects.get(name="UWV")
        asr_cockpit = Dienst.objects.get(name="Adviseursportaal a.s.r. Cockpit")
        facet = Dienst.objects.get(name="Facet Portaal")
        algemeen = creation.ScopeSelection(algemene_bevoegdheid=True)
        fiscaal = creation.ScopeSelection(dienstverleners=[belastingdienst, uwv])
        enkel = creation.ScopeSelection(diensten=[asr_cockpit, facet])
        p = self.intermediairs[0]
        direct = [self.middelen[("s.jong", 0)], self.middelen[("p.visser", 0)]]
        team = creation.Assignment(gebruikers=direct, groepen=[self.groepen["fiscalisten"]])
        loon = creation.Assignment(groepen=[self.groepen["loon"]])

        # (reference, intermediair, register index, scope, assignment, plan)
        # plan: the status to reach, and for ACTIEF the start date.
        ago = dates.add_years
        plans = [
            ("DEMO-01", p, 0, algemeen, team, ("actief", ago(today, -1))),
            ("DEMO-02", p, 1, fiscaal, loon, ("actief", ago(today, -2))),
            ("DEMO-03", p, 2, enkel, team, ("actief", today - datetime.timedelta(days=30))),
            ("DEMO-04", p, 3, algemeen, team, ("actief", dates.add_months(today, -58))),
            ("DEMO-05", p, 4, fiscaal, loon, ("actief", dates.add_months(today, -59))),
            # 3 years (every third reference): ending in 2 months as well.
            ("DEMO-06", p, 5, algemeen, team, ("actief", dates.add_months(today, -34))),
            ("DEMO-07", p, 6, algemeen, team, ("actief_opgezegd", ago(today, -3))),
            ("DEMO-08", p, 7, algemeen, team, ("actief", ago(today, -4))),
            ("DEMO-09", p, 8, algemeen, team, ("aanvraag_verstuurd", None)),
            ("DEMO-10", p, 9, fiscaal, loon, ("aanvraag_verstuurd", None)),
            ("DEMO-11", p, 10, algemeen, team, ("aanvraag_ontvangen", None)),
            ("DEMO-12", p, 11, enkel, team, ("incompleet", None)),
            ("DEMO-13", p, 12, algemeen, team, ("fout", None)),
            ("DEMO-14", p, 13, algemeen, team, ("verlopen", ago(today, -6))),
            ("DEMO-15", p, 14, fiscaal, loon, ("verlopen", ago(today, -5))),
            ("DEMO-16", p, 15, algemeen, team, ("ingetrokken", ago(today, -1))),
            ("DEMO-17", p, 16, algemeen, team, ("vervallen", None)),
            ("DEMO-18", p, 17, algemeen, team, ("goedgekeurd", None)),
            ("DEMO-19", p, 18, fiscaal, loon, ("aanvraag_ontvangen", None)),
            ("DEMO-20", p, 19, algemeen, team, ("actief", ago(today, -1))),
        ]
        de_vries = self.intermediairs[1]
        de_vries_team = creation.Assignment(gebruikers=[self.middelen[("t.dekker", 1)]])
        plans += [
            ("DEMO-21", de_vries, 20, algemeen, de_vries_team, ("actief", ago(today, -1))),
            ("DEMO-22", de_vries, 21, fiscaal, de_vries_team, ("actief", ago(today, -2))),
            ("DEMO-23", de_vries, 0, algemeen, de_vries_team, ("aanvraag_verstuurd", None)),
        ]
        jansen = self.intermediairs[2]
        jansen_team = creation.Assignment(groepen=[self.groepen["jansen"]])
        plans += [
            ("DEMO-24", jansen, 22, algemeen, jansen_team, ("actief", ago(today, -1))),
            ("DEMO-25", jansen, 23, algemeen, jansen_team, ("aanvraag_verstuurd", None)),
        ]

        created = 0
        for reference, intermediair, reg_index, scope, assignment, (goal, start) in plans:
            if Ketenmachtiging.objects.filter(intermediair=intermediair, reference=reference):
                continue
            relatie = self._relatie(self.register[reg_index])
            actor = self.people["jansen"] if intermediair == jansen else beheerder
            self._build(reference, intermediair, relatie, scope, assignment, goal, start, actor)
            created += 1

        # Pietersen itself granted one to Jansen: shown under "afgegeven".
        if not Ketenmachtiging.objects.filter(intermediair=jansen, reference="DEMO-26"):
            creation.register_approved_ketenmachtiging(
                acting_user=self.people["jansen"],
                intermediair=jansen,
                relatie=p,
                scope=algemeen,
                assignment=jansen_team,
                duration_years=5,
                leverancier=Leverancier.ZLOGIN,
                reference="DEMO-26",
            )
            created += 1
        return created

    def _build(self, reference, intermediair, relatie, scope, assignment, goal, start, actor):
        staff = self.people["medewerker"]
        index = int(reference.split("-")[1])
        if goal == "goedgekeurd":
            creation.register_approved_ketenmachtiging(
                acting_user=actor,
                intermediair=intermediair,
                relatie=relatie,
                scope=scope,
                assignment=assignment,
                duration_years=5,
                leverancier=Leverancier.DIGIDENTITY,
                reference=reference,
            )
            return
        entry = self.register[[e.kvk_nummer for e in self.register].index(relatie.kvk_nummer)]
        km = creation.request_ketenmachtiging(
            acting_user=actor,
            intermediair=intermediair,
            relatie=relatie,
            scope=scope,
            assignment=assignment,
            duration_years=5 if index % 3 else 3,
            contact=creation.RelatieContact(
                initialen="J.",
                achternaam=entry.name.split()[0],
                email=f"contact{index:02d}@example.nl",
                telefoon="+31612345678",
            ),
            intermediair_email=intermediair.afzender_email,
            intermediair_telefoon=intermediair.afzender_telefoon,
            language="en" if index % 7 == 0 else "nl",
            personal_message="Graag zo snel mogelijk ondertekend retour.",
            costs_agreed=True,
            reference=reference,
        )
        if goal == "aanvraag_verstuurd":
            return
        if goal == "vervallen":
            self._backdate_sent(km, dates.add_months(dates.today(), -4))
            lifecycle.lapse(km)
            return
        if goal == "fout":
            lifecycle.mark_failed(
                km, acting_user=None, reason="SMTP 550: mailbox unavailable (contact13)"
            )
            return
        if start is not None:
            # Sent and received around the start date, as it happened.
            self._backdate_sent(km, start - datetime.timedelta(days=21))
        lifecycle.mark_received(km, acting_user=staff, received_on=start or dates.today())
        if goal == "aanvraag_ontvangen":
            return
        if goal == "incompleet":
            lifecycle.mark_incomplete(
                km, acting_user=staff, reason="Kopie identiteitsbewijs ontbreekt."
            )
            return
        lifecycle.activate(km, acting_user=staff, start_date=start)
        if goal == "actief_opgezegd":
            lifecycle.schedule_revocation(
                km, acting_user=actor, on_date=dates.add_months(dates.today(), 2)
            )
        elif goal == "verlopen":
            lifecycle.expire(km)
        elif goal == "ingetrokken":
            lifecycle.revoke_now(km, acting_user=actor)

    @staticmethod
    def _backdate_sent(km: Ketenmachtiging, day: datetime.date) -> None:
        """Demo history only: pretend the invitation went out on `day`."""
        sent = datetime.datetime.combine(day, datetime.time(10, 0)).astimezone()
        Ketenmachtiging.objects.filter(pk=km.pk).update(sent_at=sent, costs_agreed_at=sent)
        km.sent_at = sent

    def _berichten(self):
        """The renewal reminders the nightly job would have left (once: reminded rows are
        stamped)."""
        jobs.send_renewal_reminders()
