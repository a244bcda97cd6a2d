"""The OpenAPI 3 document of the JSON API (/api/openapi.json)."""
from __future__ import annotations

from pydantic.json_schema import models_json_schema

from broadcaster import inputs
from broadcaster.inputs_studio import AsRunQuery
from broadcaster.store.models.cases import CaseState, LostItemState
from broadcaster.store.models.workflow import AnnouncementState

ERR = {"$ref": "#/components/schemas/Problem"}
OBJ = {"type": "object"}

# (method, path, summary, roles, request schema or None, success status, tag)
ROUTES = [
    ("post", "/api/token", "Exchange HTTP Basic credentials for a bearer token", "any user", None, 200, "auth"),
    ("get", "/api/now", "Now playing, what waits to air, player and device health per zone (from the database)",
     "any user", None, 200, "dashboard"),
    ("post", "/api/pages", "Open a missing/found case and page it at urgent priority in one step (409 with the case "
     "when it is opened but its page needs details the template names; 409 without a case, nothing stored, when "
     "the page would say a detail in one language inside another's text: give it under wording, by language)",
     "desk, supervisor", "PageRequest", 201,
     "desk"),
    ("post", "/api/pages/preview", "What that page would say, per language, checked as it would be (409 with "
     "what the page lacks): nothing is stored, nothing airs", "desk, supervisor", "PageRequest", 200, "desk"),
    ("get", "/api/cases", "Open cases (?all=1 for every case, ?state=)", "desk, supervisor", None, 200, "desk"),
    ("get", "/api/cases/{number}", "A case with its timeline and pages", "desk, supervisor", None, 200, "desk"),
    ("post", "/api/cases/{number}/page", "Page an existing case again", "desk, supervisor", "PageAgain", 201, "desk"),
    ("post", "/api/cases/{number}/page/preview", "What paging the case again would say, per language: "
     "nothing is stored", "desk, supervisor", "PageAgain", 200, "desk"),
    ("post", "/api/cases/{number}/resolve", "Found / reunited / closed: stops the repeats", "desk, supervisor",
     "Resolve", 200, "desk"),
    ("post", "/api/pages/{page_id}/approve", "Approve a page with free text", "supervisor", None, 200, "desk"),
    ("post", "/api/pages/{page_id}/reject", "Reject a page with free text", "supervisor", "Reason", 200, "desk"),
    ("get", "/api/lost", "Lost property register (?state=)", "desk, supervisor", None, 200, "desk"),
    ("post", "/api/lost", "Register a found item", "desk, supervisor", "LostItem", 201, "desk"),
    ("get", "/api/schedule", "Slots of a week (?week=YYYY-MM-DD)", "broadcaster, supervisor", None, 200, "schedule"),
    ("get", "/api/schedule/rules", "Schedule rules", "broadcaster, supervisor", None, 200, "schedule"),
    ("post", "/api/schedule/rules", "Create a schedule rule", "broadcaster, supervisor", "Rule", 201, "schedule"),
    ("delete", "/api/schedule/rules/{rule_id}", "Delete a schedule rule", "broadcaster, supervisor", None, 204,
     "schedule"),
    ("get", "/api/announcements", "Announcements (?state=)", "broadcaster, supervisor", None, 200, "scripts"),
    ("post", "/api/announcements", "Create a script announcement", "broadcaster, supervisor", "Script", 201, "scripts"),
    ("post", "/api/announcements/{announcement_id}/submit", "Submit for approval", "broadcaster, supervisor", None,
     200, "scripts"),
    ("get", "/api/announcements/{announcement_id}/audio", "The audio that will air (audio/wav)",
     "broadcaster, supervisor", None, 200, "scripts"),
    ("post", "/api/announcements/{announcement_id}/approve", "Approve (bound to the audio's SHA-256)", "supervisor",
     "Approve", 200, "approvals"),
    ("post", "/api/announcements/{announcement_id}/reject", "Reject with a reason", "supervisor", "Reason", 200,
     "approvals"),
    ("get", "/api/logs/asrun", "As-run log", "supervisor", None, 200, "logs"),
    ("get", "/api/faults", "Open faults", "supervisor", None, 200, "logs"),
    ("post", "/api/faults/{fault_id}/ack", "Acknowledge a fault", "supervisor, desk, broadcaster", "Note", 200,
     "logs"),
]

PROBLEM = {"type": "object", "required": ["type", "title", "status", "detail"], "properties": {
    "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
    "detail": {"type": "string"}, "error": {"type": "string", "description": "the detail again, for older clients"},
    "fields": {"type": "object", "additionalProperties": {"type": "string"},
               "description": "every field at fault -> what is wrong with it"}},
    "description": "RFC 9457 problem details"}
ERRORS = (("400", "invalid input"), ("401", "no or bad credentials"), ("403", "role not allowed"),
          ("404", "no such record"), ("405", "method not allowed (see Allow)"), ("409", "state does not allow this"),
          ("413", "body too large"), ("429", "too many failed log-ins"))
QUERY = {  # the query parameters each listing takes
    "/api/cases": {"state": {"type": "string", "enum": [s.value for s in CaseState]},
                   "all": {"type": "string", "enum": ["0", "1", "true", "false"]}},
    "/api/lost": {"state": {"type": "string", "enum": [s.value for s in LostItemState]}},
    "/api/announcements": {"state": {"type": "string", "enum": [s.value for s in AnnouncementState]}},
    "/api/logs/asrun": {"limit": AsRunQuery.model_json_schema()["properties"]["limit"]},
    "/api/schedule": {"week": {"type": "string", "format": "date"}},
}


def schemas(zones: list[str] | None = None) -> dict:
    """The request bodies' schemas, generated from the input models that check them; ``zones``: the
    venue's zones, the only names a ``zones`` field takes."""
    _, defs = models_json_schema([(m, "validation") for m in inputs.REQUESTS],
                                 ref_template="#/components/schemas/{model}")
    for model in defs["$defs"].values():
        if zones and "zones" in model.get("properties", {}):
            model["properties"]["zones"] = {"anyOf": [
                {"type": "string", "pattern": rf"^ *({'|'.join(zones)}) *(, *({'|'.join(zones)}) *){{0,19}}$"},
                {"type": "array", "items": {"enum": list(zones)}, "minItems": 1, "maxItems": 20}, {"type": "null"}],
                "description": "the venue's zones, as a list or comma-separated"}
    return {"Problem": PROBLEM, **defs["$defs"]}


def _params(path: str) -> list[dict]:
    out = []
    for part in path.split("/"):
        if part.startswith("{"):
            name = part[1:-1]
            out.append({"name": name, "in": "path", "required": True,
                        "schema": {"type": "integer", "minimum": 1, "maximum": inputs.DB_ID_MAX}
                        if name.endswith("_id") else {"type": "string", "maxLength": 40}})
    return out


def document(zones: list[str] | None = None) -> dict:
    paths: dict = {}
    components = schemas(zones)
    for method, path, summary, roles, req, ok, tag in ROUTES:
        op: dict = {"summary": summary, "tags": [tag], "description": f"Roles: {roles} (admin holds every role).",
                    "responses": {str(ok): {"description": "OK"} if ok == 204 else
                                  {"description": "OK", "content": {"application/json": {"schema": OBJ}}}}}
        if path.endswith("/audio"):
            op["responses"]["200"] = {"description": "WAV", "content": {"audio/wav": {}}}
        for code, what in ERRORS:
            op["responses"][code] = {"description": what, "content": {"application/problem+json": {"schema": ERR}}}
        if req:
            op["requestBody"] = {"required": bool(components[req].get("required")), "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{req}"}}}}
        params = _params(path) + [{"name": k, "in": "query", "required": False, "schema": v}
                                  for k, v in QUERY.get(path, {}).items() if method == "get"]
        if params:
            op["parameters"] = params
        if path == "/api/token":
            op["security"] = [{"basic": []}]
        paths.setdefault(path, {})[method] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "PA Broadcaster API", "version": "1.0",
                 "description": "Authenticate with HTTP Basic (the panel's users and passwords) or with a bearer "
                                "token from POST /api/token (valid 12 h; revoked when the password changes). "
                                "Five failed log-ins per user or address in five minutes answer 429."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {"basic": []}],
        "paths": paths,
        "components": {"securitySchemes": {"basic": {"type": "http", "scheme": "basic"},
                                           "bearer": {"type": "http", "scheme": "bearer"}},
                       "schemas": components},
    }
