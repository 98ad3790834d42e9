"""The OpenAPI 3.1 document of the API, as a Python dict: served at /api/schema/, rendered at
/api/docs/, and fuzzed by the tests. Patterns and codes come from the modules that enforce them,
so the document cannot drift from the code."""

from typing import Any

from accounts.constants import LOA_URNS, EHNiveau

from .constants import REFUSAL_REASONS
from .inputs import (
    KVK_PATTERN,
    MAX_PAGE,
    MAX_PAGE_SIZE,
    PSEUDONYM_PATTERN,
    RSIN_PATTERN,
    SERVICE_ID_PATTERN,
    SERVICE_UUID_PATTERN,
)
from .models import RelatieType

CHECK_PATH = "/api/v1/ketenmachtigingen/check"
LIST_PATH = "/api/v1/ketenmachtigingen/vertegenwoordigden"
HEALTH_PATH = "/api/health"

EXAMPLE_UUID = "9f1c2e4a-0b7d-4c55-9a61-3d2f8e6b1a70"
EXAMPLE_PSEUDONYM = "3f5a0c9e1b7d4a2f8c6e0d1b9a7f5e3c"


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(
    schema: dict[str, Any],
    description: str,
    example: object = None,
    headers: dict[str, Any] | None = None,
) -> dict[str, Any]:
    content: dict[str, Any] = {"schema": schema}
    if example is not None:
        content["example"] = example
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": content},
    }
    if headers:
        response["headers"] = headers
    return response


def _error_response(
    description: str, example_error: str, example_message: str, **kw: Any
) -> dict[str, Any]:
    return _json(
        _ref("Error"), description, {"error": example_error, "message": example_message}, **kw
    )


KVK = {
    "type": "string",
    "pattern": KVK_PATTERN,
    "description": "KVK-nummer: exactly 8 digits.",
    "examples": ["12345678"],
}
PSEUDONYM = {
    "type": "string",
    "pattern": PSEUDONYM_PATTERN,
    "description": "The acting person's middel as the dienstverlener saw it at login: its "
    "opaque, stable pseudonym.",
    "examples": [EXAMPLE_PSEUDONYM],
}
DIENST = {
    "type": "string",
    "anyOf": [
        {"pattern": SERVICE_UUID_PATTERN, "title": "ServiceUUID"},
        {"pattern": SERVICE_ID_PATTERN, "title": "ServiceID"},
    ],
    "description": "The dienst: its ServiceUUID from the eHerkenning dienstencatalogus, or its "
    "ServiceID urn:etoegang:DV:<OIN>:services:<number>.",
    "examples": [EXAMPLE_UUID, "urn:etoegang:DV:00000001234567890000:services:1"],
}
LOA = {
    "type": "string",
    "enum": list(LOA_URNS.values()),
    "description": "The level of assurance the dienstverlener requires for this login.",
    "examples": [LOA_URNS[EHNiveau.EH3]],
}

ERROR_CODES = ["invalid_request", "unauthorized", "forbidden", "rate_limited", "method_not_allowed"]

SCHEMAS = {
    "CheckRequest": {
        "type": "object",
        "additionalProperties": False,
        "required": ["intermediair", "pseudonym", "relatie", "dienst", "loa"],
        "properties": {
            "intermediair": {**KVK, "description": "KVK-nummer of the intermediary."},
            "pseudonym": PSEUDONYM,
            "relatie": _ref("Relatie"),
            "dienst": DIENST,
            "loa": LOA,
        },
    },
    "Relatie": {
        "description": "The represented company (vertegenwoordigde), named as eHerkenning's "
        "EntityConcernedID: a KVK-nummer (8 digits) or an RSIN (9 digits passing the elfproef).",
        "oneOf": [
            {
                "type": "object",
                "title": "KVK-nummer",
                "additionalProperties": False,
                "required": ["type", "value"],
                "properties": {
                    "type": {"const": RelatieType.KVK.value},
                    "value": {"type": "string", "pattern": KVK_PATTERN},
                },
            },
            {
                "type": "object",
                "title": "RSIN",
                "additionalProperties": False,
                "required": ["type", "value"],
                "properties": {
                    "type": {"const": RelatieType.RSIN.value},
                    "value": {"type": "string", "pattern": RSIN_PATTERN},
                },
            },
        ],
    },
    "Reason": {
        "description": "Why the person may not act; null when allowed.",
        "oneOf": [
            *({"const": code, "description": text} for code, text in REFUSAL_REASONS.items()),
            {"type": "null", "description": "Allowed."},
        ],
    },
    "Ketenmachtiging": {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "end_date"],
        "properties": {
            "id": {"type": "integer"},
            "end_date": {
                "type": ["string", "null"],
                "format": "date",
                "description": "The first day on which it no longer applies; null while pending.",
            },
        },
    },
    "CheckResponse": {
        "type": "object",
        "additionalProperties": False,
        "required": ["allowed", "reason", "ketenmachtiging", "check_id"],
        "properties": {
            "allowed": {"type": "boolean"},
            "reason": _ref("Reason"),
            "ketenmachtiging": {
                "description": "The relatie's ketenmachtiging the answer is about, when one "
                "applies: the one used when allowed; otherwise the one that falls short.",
                "oneOf": [_ref("Ketenmachtiging"), {"type": "null"}],
            },
            "check_id": {"type": "integer", "description": "The log entry of this check."},
        },
    },
    "Vertegenwoordigde": {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "kvk_nummer", "rsin"],
        "properties": {
            "name": {"type": "string"},
            "kvk_nummer": {"type": ["string", "null"]},
            "rsin": {"type": ["string", "null"]},
        },
    },
    "VertegenwoordigdenPage": {
        "type": "object",
        "additionalProperties": False,
        "required": ["results", "next", "reason"],
        "properties": {
            "results": {"type": "array", "items": _ref("Vertegenwoordigde"), "maxItems": 100},
            "next": {
                "type": ["string", "null"],
                "description": "The URL of the next page; null on the last page.",
            },
            "reason": {
                "description": "When the list is empty because of the person or the dienst "
                "(unknown_person, unknown_dienst, middel_inactive, level_too_low, "
                "middel_restricted): that reason; otherwise null.",
                "oneOf": [
                    {"type": "string", "enum": list(REFUSAL_REASONS)},
                    {"type": "null"},
                ],
            },
        },
    },
    "Error": {
        "type": "object",
        "additionalProperties": False,
        "required": ["error", "message"],
        "properties": {
            "error": {"type": "string", "enum": ERROR_CODES},
            "message": {"type": "string"},
            "errors": {
                "type": "array",
                "description": "With invalid_request: every wrong field and what is wrong.",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["field", "message"],
                    "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                },
            },
        },
    },
    "Health": {
        "type": "object",
        "additionalProperties": False,
        "required": ["status"],
        "properties": {"status": {"const": "ok"}},
    },
}

BAD_REQUEST = _error_response(
    "The request is malformed; `errors` names every wrong field.",
    "invalid_request",
    "relatie.value: This RSIN fails the elfproef (eleven test).",
)
UNAUTHORIZED = _error_response(
    "The API key is missing, unknown or revoked.",
    "unauthorized",
    "Unknown API key.",
    headers={"WWW-Authenticate": {"schema": {"type": "string"}, "required": True}},
)
FORBIDDEN = _error_response(
    "The dienst belongs to a dienstverlener this client may not ask about.",
    "forbidden",
    "This client may only ask about diensten of its own dienstverleners.",
)
RATE_LIMITED = _error_response(
    "Too many requests from this client in this minute.",
    "rate_limited",
    "Rate limit of 50000 requests per minute exceeded; retry after 12 seconds.",
    headers={
        "Retry-After": {
            "schema": {"type": "integer", "minimum": 1},
            "required": True,
            "description": "Seconds until the next minute window.",
        }
    },
)


def _query(
    name: str, schema: dict[str, Any], description: str, required: bool = True
) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema,
    }


CHECK_EXAMPLE = {
    "intermediair": "12345678",
    "pseudonym": EXAMPLE_PSEUDONYM,
    "relatie": {"type": RelatieType.KVK.value, "value": "87654321"},
    "dienst": EXAMPLE_UUID,
    "loa": LOA_URNS[EHNiveau.EH3],
}

SCHEMA: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Z login ketenmachtigingen: authorization check API",
        "version": "1.0.0",
        "description": (
            "Asks whether a person of an intermediary (the holder of an eHerkenning middel) "
            "may act for a client company (relatie) at a dienst, through a ketenmachtiging "
            "registered at Z login. The answer follows the same rule as the portal: an ACTIEF "
            "ketenmachtiging of the relatie to the intermediary, in force today, whose scope "
            "covers the dienst; the person assigned directly or through a groep whose allowed "
            "diensten cover it; a middel of at least EH3, the dienst's level and the requested "
            "level; a Belastingdienst-only middel only at the Belastingdienst.\n\n"
            "Authenticate with `Authorization: Bearer <API key>`. A client may ask only about "
            "diensten of its own dienstverleners. Error messages are in English; another "
            "method than a path's own is answered with 405 (`method_not_allowed`) and an "
            "`Allow` header."
        ),
    },
    "servers": [{"url": "/"}],
    "security": [{"bearerAuth": []}],
    "paths": {
        CHECK_PATH: {
            "post": {
                "operationId": "checkKetenmachtiging",
                "summary": "May this person act for this relatie at this dienst?",
                "description": "Every answer is logged. A refusal names its reason; the "
                "answer never mentions another relatie.",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": _ref("CheckRequest"),
                            "example": CHECK_EXAMPLE,
                        }
                    },
                },
                "responses": {
                    "200": _json(
                        _ref("CheckResponse"),
                        "The answer.",
                        {
                            "allowed": True,
                            "reason": None,
                            "ketenmachtiging": {"id": 4711, "end_date": "2030-03-10"},
                            "check_id": 123456,
                        },
                    ),
                    "400": BAD_REQUEST,
                    "401": UNAUTHORIZED,
                    "403": FORBIDDEN,
                    "429": RATE_LIMITED,
                },
            }
        },
        LIST_PATH: {
            "get": {
                "operationId": "listVertegenwoordigden",
                "summary": "The relaties this person may act for at this dienst",
                "description": "What a dienstverlener or broker shows after login: the "
                "relaties for which a check would answer allowed, in name order, "
                f"at most {MAX_PAGE_SIZE} per page.",
                "parameters": [
                    _query("intermediair", KVK, "KVK-nummer of the intermediary."),
                    _query("pseudonym", PSEUDONYM, "The acting person's pseudonym."),
                    _query("dienst", DIENST, "ServiceUUID or ServiceID of the dienst."),
                    _query("loa", LOA, "The requested level of assurance."),
                    _query(
                        "page",
                        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
                        "Page number, from 1.",
                        required=False,
                    ),
                    _query(
                        "page_size",
                        {
                            "type": "integer",
                            "minimum": 1,
                            "maximum": MAX_PAGE_SIZE,
                            "default": MAX_PAGE_SIZE,
                        },
                        "Relaties per page.",
                        required=False,
                    ),
                ],
                "responses": {
                    "200": _json(
                        _ref("VertegenwoordigdenPage"),
                        "One page of relaties.",
                        {
                            "results": [
                                {
                                    "name": "Bakkerij De Korst B.V.",
                                    "kvk_nummer": "87654321",
                                    "rsin": None,
                                },
                            ],
                            "next": None,
                            "reason": None,
                        },
                    ),
                    "400": BAD_REQUEST,
                    "401": UNAUTHORIZED,
                    "403": FORBIDDEN,
                    "429": RATE_LIMITED,
                },
            }
        },
        HEALTH_PATH: {
            "get": {
                "operationId": "health",
                "summary": "Liveness: answers without touching the database",
                "security": [],
                "responses": {"200": _json(_ref("Health"), "The API is up.", {"status": "ok"})},
            }
        },
    },
    "components": {
        "securitySchemes": {
            "bearerAuth": {
                "type": "http",
                "scheme": "bearer",
                "description": "An API key issued by Z login (shown once when created).",
            }
        },
        "schemas": SCHEMAS,
    },
}
