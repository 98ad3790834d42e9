"""The OpenAPI dict arranged for the readable docs page (templates/api/docs.html)."""

import json


def _pretty(value) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def _schema_summary(schema: dict) -> str:
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


def _resolve(document: dict, item: dict) -> dict:
    if "$ref" in item:
        *_, kind, name = item["$ref"].split("/")
        return document["components"][kind][name]
    return item


def document(schema: dict) -> dict:
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
                    "description": operation.get("description", ""),
                    "public": operation.get("security") == [],
                    "parameters": [
                        {
                            "name": p["name"],
                            "required": p.get("required", False),
                            "description": p.get("description", ""),
                            "schema": _schema_summary(p["schema"]),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "body_schema": body["schema"]["$ref"].rsplit("/", 1)[1] if body else None,
                    "body_example": _pretty(body["example"]) if body else None,
                    "responses": [
                        {
                            "status": status,
                            "description": response["description"],
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
        {"code": option["const"], "description": option["description"]}
        for option in _resolve(schema, {"$ref": "#/components/schemas/Reason"})["oneOf"]
        if "const" in option
    ]
    return {
        "title": schema["info"]["title"],
        "version": schema["info"]["version"],
        "description": schema["info"]["description"],
        "operations": operations,
        "reasons": reasons,
        "schemas": [
            {"name": name, "json": _pretty(definition)}
            for name, definition in schema["components"]["schemas"].items()
        ],
    }
