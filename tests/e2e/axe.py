"""axe-core in a Playwright page: the WCAG 2.1 A/AA and best-practice violations that matter."""

from functools import cache
from pathlib import Path

AXE_JS = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}
# Experimental in axe, so off unless asked for: the visible text is part of the accessible name
# (WCAG 2.5.3 Label in Name).
RUN_OPTIONS = {"rules": {"label-content-name-mismatch": {"enabled": True}}}


@cache
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def serious_violations(page, also: frozenset[str] = frozenset()) -> list[dict]:
    """axe's violations with impact serious or critical on the page as it is now, and those of
    the rules in `also` whatever their impact.

    Evaluated through the DevTools protocol rather than a <script> tag, which the portal's
    Content-Security-Policy refuses."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    results = page.evaluate("options => axe.run(document, options)", RUN_OPTIONS)
    return [v for v in results["violations"] if v["impact"] in BLOCKING or v["id"] in also]


def describe(violations: list[dict]) -> str:
    """One paragraph per rule: what is wrong, where, and axe's own explanation."""
    parts = []
    for violation in violations:
        lines = [f"{violation['id']} ({violation['impact']}): {violation['help']}"]
        for node in violation["nodes"][:8]:
            target = " ".join(map(str, node["target"]))
            lines.append(f"  {target}")
            lines.append(f"    {node['failureSummary'].replace(chr(10), ' ')[:300]}")
        if len(violation["nodes"]) > 8:
            lines.append(f"  … and {len(violation['nodes']) - 8} more")
        parts.append("\n".join(lines))
    return "\n".join(parts)
