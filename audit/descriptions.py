"""What an audit event changed, as readable lines in the active language.

Rows hold plain values only; the words are added here when the trail is read, so the groep's
page and the admin read the same in Dutch and in English.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .constants import AuditKind

State = Mapping[str, Any] | None


def _quoted(value) -> str:
    return f"‘{value}’" if value not in ("", None) else _("(leeg)")


def _changed(label: str, before, after) -> str:
    return _("%(label)s gewijzigd van %(before)s in %(after)s") % {
        "label": label,
        "before": _quoted(before),
        "after": _quoted(after),
    }


def _difference(before: Iterable[str], after: Iterable[str]) -> str:
    """ "+ S. de Jong, − K. de Vries": what came and what went (a name twice counts twice)."""
    before, after = Counter(before), Counter(after)
    added = sorted((after - before).elements())
    removed = sorted((before - after).elements())
    return ", ".join([f"+ {name}" for name in added] + [f"− {name}" for name in removed])


def _listed(names: Iterable[str]) -> str:
    return ", ".join(names) or _("geen")


def _diensten(state: State) -> list[str]:
    """Toegestane diensten as one list: Algemene bevoegdheid, or dienstverleners and diensten."""
    if not state:
        return []
    if state.get("algemene_bevoegdheid"):
        return [_("Algemene bevoegdheid")]
    return [
        *(
            _("%(name)s (alle diensten)") % {"name": name}
            for name in state.get("dienstverleners", [])
        ),
        *state.get("diensten", []),
    ]


def _bulk_rows(state: Mapping[str, Any]) -> str:
    rows, refused = state.get("rows", 0), state.get("refused_rows", 0)
    text = ngettext("%(n)d geldige rij", "%(n)d geldige rijen", rows) % {"n": rows}
    if refused:
        text += ", " + ngettext("%(n)d geweigerde rij", "%(n)d geweigerde rijen", refused) % {
            "n": refused
        }
    return text


def describe(kind: str, before: State, after: State) -> list[str]:
    before, after = before or {}, after or {}
    if kind == AuditKind.GROEP_CREATED:
        return [_("Groep aangemaakt met de naam %(name)s") % {"name": _quoted(after.get("name"))}]
    if kind == AuditKind.GROEP_RENAMED:
        return [_changed(_("Naam"), before.get("name"), after.get("name"))]
    if kind == AuditKind.GROEP_MEMBERS_CHANGED:
        change = _difference(before.get("members", []), after.get("members", []))
        if not change:  # two people of the same name swapped: the names look the same
            return [str(AuditKind(kind).label)]
        return [_("Leden: %(names)s") % {"names": change}]
    if kind == AuditKind.GROEP_DIENSTEN_CHANGED:
        change = _difference(_diensten(before), _diensten(after))
        if not change:
            return [str(AuditKind(kind).label)]
        return [_("Toegestane diensten: %(names)s") % {"names": change}]
    if kind == AuditKind.GROEP_DELETED:
        lines = [
            _("Groep %(name)s verwijderd") % {"name": _quoted(before.get("name"))},
            _("Leden: %(names)s") % {"names": _listed(before.get("members", []))},
            _("Toegestane diensten: %(names)s") % {"names": _listed(_diensten(before))},
        ]
        count = before.get("ketenmachtigingen", 0)
        if count:
            lines.append(
                ngettext(
                    "Was gekoppeld aan %(n)d ketenmachtiging",
                    "Was gekoppeld aan %(n)d ketenmachtigingen",
                    count,
                )
                % {"n": count}
            )
        return lines
    if kind == AuditKind.SENDER_SETTINGS_CHANGED:
        labels = {
            "email": _("E-mailadres afzender"),
            "telefoon": _("Telefoonnummer afzender"),
            "taal": _("Taal van e-mails"),
        }
        languages = dict(settings.LANGUAGES)  # a language by its name, not its code
        shown = {"taal": lambda code: languages.get(code, code)}
        return [
            _changed(label, *(shown.get(key, str)(side.get(key, "")) for side in (before, after)))
            for key, label in labels.items()
            if before.get(key, "") != after.get(key, "")
        ]
    if kind == AuditKind.BULK_IMPORT_CREATED:
        return [
            _("Bestand %(name)s geïmporteerd: %(rows)s")
            % {"name": _quoted(after.get("filename")), "rows": _bulk_rows(after)}
        ]
    if kind == AuditKind.BULK_IMPORT_DELETED:
        return [
            _("Bestand %(name)s verwijderd: %(rows)s")
            % {"name": _quoted(before.get("filename")), "rows": _bulk_rows(before)}
        ]
    if kind in CERTIFICATE_KINDS:
        return _certificate_lines(kind, before, after)
    return []


CERTIFICATE_KINDS = (
    AuditKind.CERTIFICATE_REGISTERED,
    AuditKind.CERTIFICATE_REPLACED,
    AuditKind.CERTIFICATE_REVOKED,
)


def _certificate_text(state: Mapping[str, Any]) -> str:
    valid_until = str(state.get("not_valid_after", ""))[:10]
    return _("%(subject)s, serienummer %(serial)s, geldig tot %(date)s") % {
        "subject": _quoted(state.get("subject")),
        "serial": state.get("serial_number", ""),
        "date": valid_until,
    }


def _certificate_lines(kind: str, before: Mapping[str, Any], after: Mapping[str, Any]):
    if kind == AuditKind.CERTIFICATE_REGISTERED:
        return [_("Certificaat geregistreerd: %(text)s") % {"text": _certificate_text(after)}]
    if kind == AuditKind.CERTIFICATE_REPLACED:
        return [
            _("Vervangen certificaat: %(text)s") % {"text": _certificate_text(before)},
            _("Nieuw certificaat: %(text)s") % {"text": _certificate_text(after)},
        ]
    return [_("Certificaat ingetrokken: %(text)s") % {"text": _certificate_text(before)}]
