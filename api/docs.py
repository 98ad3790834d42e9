"""The OpenAPI dict arranged for the readable docs page (templates/api/docs.html)."""

import json
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def _pretty(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def _marked_up(text: str) -> SafeString:
    """A description as HTML: escaped, with its `code spans` (as OpenAPI's CommonMark writes
    them) in <code>. An unpaired backtick stays as it is."""
    parts = escape(text).split("`")
    if len(parts) % 2 == 0:
        return escape(text)
    return mark_safe(  # noqa: S308 - every part was escaped above
        "".join(f"<code>{part}</code>" if n % 2 else part for n, part in enumerate(parts))
    )


def _schema_summary(schema: dict[str, Any]) -> str:
    """A one-line description of a parameter's schema: type, pattern or choices, bounds."""
    if "enum" in schema:
        return "one of: " + ", ".join(schema["enum"])
    if "anyOf" in schema:
        return " or ".join(
            f"{option.get('title', '')} {option.get('pattern', '')}".strip()
            for option in schema["anyOf"]
        )
    parts = [schema.get("type", "")]
    if "pattern" in schema:
        parts.append(schema["pattern"])
    if "minimum" in schema:
        parts.append(f"{schema['minimum']}–{schema.get('maximum', '')}")
    return " ".join(parts)


def _resolve(document: dict[str, Any], item: dict[str, Any]) -> Any:
    if "$ref" in item:
        *_, kind, name = item["$ref"].split("/")
        return document["components"][kind][name]
    return item


def document(schema: dict[str, Any]) -> dict[str, Any]:
    """Operations, the reason codes and the schemas, ready for the template."""
    operations = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "anchor": operation["operationId"],
                    "summary": operation.get("summary", ""),
                    "description": _marked_up(operation.get("description", "")),
                    "public": operation.get("security") == [],
                    "parameters": [
                        {
                            "name": p["name"],
                            "required": p.get("required", False),
                            "description": _marked_up(p.get("description", "")),
                            "schema": _schema_summary(p["schema"]),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "body_schema": body["schema"]["$ref"].rsplit("/", 1)[1] if body else None,
                    "body_example": _pretty(body["example"]) if body else None,
                    "responses": [
                        {
                            "status": status,
                            "description": _marked_up(response["description"]),
                            "example": _pretty(
                                response["content"]["application/json"].get("example")
                            ),
                            "headers": sorted(response.get("headers", {})),
                        }
                        for status, response in operation["responses"].items()
                    ],
                }
            )
    reasons = [
        {"code": option["const"], "description": _marked_up(option["description"])}
        for option in _resolve(schema, {"$ref": "#/components/schemas/Reason"})["oneOf"]
        if "const" in option
    ]
    return {
        "title": schema["info"]["title"],
        "version": schema["info"]["version"],
        "description": _marked_up(schema["info"]["description"]),
        "operations": operations,
        "reasons": reasons,
        "schemas": [
            {"name": name, "json": _pretty(definition)}
            for name, definition in schema["components"]["schemas"].items()
        ],
    }
