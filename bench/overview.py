"""Benchmark: the overview with 50,000 relaties of one intermediary, on PostgreSQL.

Times the first page of each tab, a search and a whole CSV export through Django's full request
path (middleware, 2FA check, tenant scoping, templates), and compares the page time with an
intermediary of 100 relaties. Prints figures; the last line is one JSON object.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zlogin_bench .venv/bin/python -m bench.overview
"""

import datetime
import json
import os
import statistics
import time
import warnings
from pathlib import Path

from bench import support

LARGE, SMALL = 50_000, 100
REPEATS, WARMUP = 15, 3


def fill(name: str, kvk_prefix: int, count: int):
    """An intermediary with `count` relaties, one ketenmachtiging each, in every tab."""
    from django.db import connection
    from django.utils import timezone

    from accounts.constants import EHNiveau
    from accounts.models import Membership, Organisation, User
    from groepen.models import Groep
    from ketenmachtigingen import dates
    from ketenmachtigingen.constants import Status
    from ketenmachtigingen.models import Ketenmachtiging

    intermediair, created = Organisation.objects.get_or_create(
        kvk_nummer=f"{kvk_prefix:08d}", defaults={"name": name, "ketenmachtigingen_enabled": True}
    )
    if Ketenmachtiging.objects.filter(intermediair=intermediair).count() == count:
        return intermediair
    print(f"filling {name} with {count} relaties …", flush=True)
    today = dates.today()
    relaties = Organisation.objects.bulk_create(
        [
            Organisation(name=f"{name} relatie {i:05d}", kvk_nummer=f"{kvk_prefix + 1 + i:08d}")
            for i in range(count)
        ],
        batch_size=5000,
    )
    users = [
        User.objects.create(username=f"{name.lower().replace(' ', '-')}-{i}", last_name=f"U{i}")
        for i in range(3)
    ]
    memberships = [
        Membership.objects.create(user=u, organisation=intermediair, eh_niveau=EHNiveau.EH3)
        for u in users
    ]
    groep = Groep.objects.create(organisation=intermediair, name="Team", algemene_bevoegdheid=True)
    groep.members.set(memberships[1:])

    def row(i, relatie):
        kind = i % 20
        start = today - datetime.timedelta(days=30 + i % 1000)
        if kind < 13:  # actief
            return Status.ACTIEF, start
        if kind == 13:  # actief, ending within 3 months: Acties
            return Status.ACTIEF, dates.add_years(today, -5) + datetime.timedelta(days=i % 80)
        if kind in (14, 15):
            return Status.AANVRAAG_VERSTUURD, None
        if kind == 16:
            return Status.INCOMPLEET, None
        if kind == 17:
            return Status.VERLOPEN, dates.add_years(today, -6)
        return Status.INGETROKKEN, start

    kms = []
    for i, relatie in enumerate(relaties):
        status, start = row(i, relatie)
        kms.append(
            Ketenmachtiging(
                intermediair=intermediair,
                relatie=relatie,
                status=status,
                algemene_bevoegdheid=True,
                start_date=start,
                end_date=dates.add_years(start, 5) if start else None,
                sent_at=None if start else timezone.now(),
                reference=f"REF-{i}",
                contact_achternaam=f"Contact{i}",
                contact_email=f"c{i}@example.nl",
            )
        )
    kms = Ketenmachtiging.objects.bulk_create(kms, batch_size=5000)
    through = Ketenmachtiging.gebruikers.through
    through.objects.bulk_create(
        [through(ketenmachtiging_id=km.pk, membership_id=memberships[0].pk) for km in kms],
        batch_size=5000,
    )
    groep_through = Ketenmachtiging.groepen.through
    groep_through.objects.bulk_create(
        [groep_through(ketenmachtiging_id=km.pk, groep_id=groep.pk) for km in kms], batch_size=5000
    )
    with connection.cursor() as cursor:
        # What autovacuum does soon after a bulk load: statistics, and the visibility map that
        # lets the counts scan the index alone.
        cursor.execute("VACUUM ANALYZE")
    return intermediair


def client_for(intermediair):
    from django.test import Client

    from accounts.constants import EHNiveau, Role
    from accounts.models import Membership, User
    from tests.logins import log_in_verified

    user, _ = User.objects.get_or_create(username=f"bench-beheerder-{intermediair.pk}")
    Membership.objects.get_or_create(
        user=user,
        organisation=intermediair,
        defaults={"role": Role.BEHEERDER, "eh_niveau": EHNiveau.EH3},
    )
    return log_in_verified(Client(), user)


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(field)


def reset_peak_rss() -> int:
    """Reset the kernel's peak-RSS mark (Linux) and return the current RSS in kB."""
    Path("/proc/self/clear_refs").write_text("5")
    return _status_kb("VmRSS")


def peak_rss_kb() -> int:
    return _status_kb("VmHWM")


def median_ms(client, url: str, params: dict) -> float:
    timings = []
    for i in range(WARMUP + REPEATS):
        started = time.perf_counter()
        response = client.get(url, params)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.status_code
        if i >= WARMUP:
            timings.append(elapsed)
    return statistics.median(timings)


def main() -> None:
    # Production settings, as a server runs them (no debug query log); plain HTTP and unhashed
    # static names because the test client and no collectstatic run here.
    os.environ.update(
        DEBUG="false",
        SECRET_KEY="bench-" + "k" * 50,
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        STATIC_MANIFEST="false",
    )
    warnings.filterwarnings("ignore", message="No directory at")  # no collectstatic here
    support.setup_django(DATABASE_URL="postgres://postgres@127.0.0.1:5432/zlogin_bench")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    large = fill("Bench Groot", 60_000_000, LARGE)
    small = fill("Bench Klein", 70_000_000, SMALL)
    url = "/ketenmachtigingen/van-relaties/"
    big_client, small_client = client_for(large), client_for(small)

    pages = {}
    for tab in ("actief", "wachtend", "acties", "verlopen"):
        pages[tab] = median_ms(big_client, url, {"tab": tab})
        print(f"first page, tab {tab:9s}: {pages[tab]:7.1f} ms median ({LARGE} relaties)")
    worst_tab = max(pages, key=pages.get)
    small_page = median_ms(small_client, url, {"tab": worst_tab})
    print(f"first page, tab {worst_tab:9s}: {small_page:7.1f} ms median ({SMALL} relaties)")
    search = median_ms(big_client, url, {"tab": "actief", "zoek": "relatie 04217"})
    print(f"search 'relatie 04217'   : {search:7.1f} ms median")

    rss_before = reset_peak_rss()
    started = time.perf_counter()
    response = big_client.get(
        "/ketenmachtigingen/van-relaties/export/", {"tab": "actief", "formaat": "csv"}
    )
    size = sum(len(chunk) for chunk in response.streaming_content)
    export_s = time.perf_counter() - started
    growth_mb = (peak_rss_kb() - rss_before) / 1024
    print(
        f"csv export (actief)      : {export_s:7.2f} s, {size / 1e6:.1f} MB, "
        f"peak RSS +{growth_mb:.1f} MB"
    )

    print(
        json.dumps(
            {
                "page_ms_median": round(pages[worst_tab], 1),
                "search_ms_median": round(search, 1),
                "page_ratio_50000_vs_100": round(pages[worst_tab] / small_page, 2),
                "csv_export_s": round(export_s, 2),
                "csv_export_rss_growth_mb": round(growth_mb, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
