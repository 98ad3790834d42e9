from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditKind(models.TextChoices):
    """What an audit event records. Every kind is written by one function in audit/services.py."""

    # A beheerder gave a new groep its name (stap 1); before is empty.
    GROEP_CREATED = "groep_created", _("Groep aangemaakt")
    # The groep's name changed (also a change of case only); before and after: the name.
    GROEP_RENAMED = "groep_renamed", _("Groep hernoemd")
    # The groep is gone; before: its name, members, toegestane diensten and use.
    GROEP_DELETED = "groep_deleted", _("Groep verwijderd")
    # Who is in the groep changed: who may act for every relatie of its ketenmachtigingen.
    GROEP_MEMBERS_CHANGED = "groep_members_changed", _("Leden van groep gewijzigd")
    # Algemene bevoegdheid, or the dienstverleners and diensten the groep may use, changed.
    GROEP_DIENSTEN_CHANGED = "groep_diensten_changed", _("Toegestane diensten van groep gewijzigd")
    # The organisation's default contact for invitations changed.
    SENDER_SETTINGS_CHANGED = "sender_settings_changed", _("Afzenderinstellingen gewijzigd")
    # An Excel file of relaties was imported (Meerdere bedrijven), not sent yet.
    BULK_IMPORT_CREATED = "bulk_import_created", _("Import meerdere bedrijven aangemaakt")
    # An import that was not sent was removed with the trash icon.
    BULK_IMPORT_DELETED = "bulk_import_deleted", _("Import meerdere bedrijven verwijderd")
    # A beheerder registered the PKI certificate of an EH4 middel (none before); after: the
    # certificate's subject, serial number, fingerprint and end of validity.
    CERTIFICATE_REGISTERED = "certificate_registered", _("Certificaat geregistreerd")
    # The middel's certificate was replaced by another; before and after: both certificates.
    CERTIFICATE_REPLACED = "certificate_replaced", _("Certificaat vervangen")
    # The middel's certificate no longer logs in; before: the certificate.
    CERTIFICATE_REVOKED = "certificate_revoked", _("Certificaat ingetrokken")
