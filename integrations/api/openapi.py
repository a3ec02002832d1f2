"""The OpenAPI document served at /api/v1/openapi.json, built from the same pydantic models."""

from __future__ import annotations

from typing import Any

from integrations.api.schema import CaseIn, CaseOut, ErrorOut

_REF = "#/components/schemas/{model}"


def _schemas() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for model in (CaseIn, CaseOut, ErrorOut):
        schema = model.model_json_schema(ref_template=_REF)
        out.update(schema.pop("$defs", {}))
        out[model.__name__] = schema
    return out


def _json(ref: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


def document() -> dict[str, Any]:
    errors = {
        "400": {"description": "malformed JSON", **_json("ErrorOut")},
        "401": {"description": "missing or wrong API key", **_json("ErrorOut")},
        "413": {"description": "body over the size limit (1 MB)", **_json("ErrorOut")},
        "422": {"description": "a field is invalid; `field` names it", **_json("ErrorOut")},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "maotiao intake API", "version": "1",
                 "description": "Each API key belongs to one calling system (the label before its secret in "
                                "MAOTIAO_API_KEYS). A key reads back only the cases its own system sent; other "
                                "systems' cases and chat reports are 404 to it."},
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/cases": {
                "post": {
                    "summary": "Hand a dispute to the center",
                    "requestBody": {"required": True, **_json("CaseIn")},
                    "responses": {
                        "201": {"description": "case created", **_json("CaseOut")},
                        "200": {"description": "already received (same source and external_id)", **_json("CaseOut")},
                        "409": {"description": "another system already used this source and external_id",
                                **_json("ErrorOut")},
                        **errors,
                    },
                }
            },
            "/api/v1/cases/{number}": {
                "get": {
                    "summary": "A case's progress",
                    "parameters": [{"name": "number", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {
                        "200": {"description": "the case", **_json("CaseOut")},
                        "404": {"description": "no such case among those this key's system sent",
                                **_json("ErrorOut")},
                        **errors,
                    },
                }
            },
        },
    }
