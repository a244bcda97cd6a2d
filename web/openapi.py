"""The OpenAPI 3 document of the JSON API (/api/openapi.json)."""
from __future__ import annotations

ERR = {"$ref": "#/components/schemas/Error"}
OBJ = {"type": "object"}

# (method, path, summary, roles, request schema or None, success status, tag)
ROUTES = [
    ("post", "/api/token", "Exchange HTTP Basic credentials for a bearer token", "any user", None, 200, "auth"),
    ("get", "/api/now", "Now playing, what waits to air, player and device health per zone (from the database)",
     "any user", None, 200, "dashboard"),
    ("post", "/api/pages", "Open a missing/found case and page it at urgent priority in one step", "desk, supervisor",
     "PageRequest", 201, "desk"),
    ("get", "/api/cases", "Open cases (?all=1 for every case, ?state=)", "desk, supervisor", None, 200, "desk"),
    ("get", "/api/cases/{number}", "A case with its timeline and pages", "desk, supervisor", None, 200, "desk"),
    ("post", "/api/cases/{number}/page", "Page an existing case again", "desk, supervisor", "PageAgain", 201, "desk"),
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
    ("post", "/api/faults/{fault_id}/ack", "Acknowledge a fault", "supervisor, desk, broadcaster", None, 200, "logs"),
]

S = lambda **props: {"type": "object", "properties": {k: {"type": v} for k, v in props.items()}}  # noqa: E731

SCHEMAS = {
    "Error": {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]},
    "PageRequest": {**S(kind="string", age="integer", sex="string", height="string", hair="string",
                        clothing="string", shoes="string", last_seen_place="string", last_seen_at="string",
                        meeting_point="string", person_name="string", reporter_name="string",
                        reporter_contact="string", is_child="boolean", template="string", extra_text="string",
                        notes="string"),
                    "required": ["kind"],
                    "description": "kind: missing (reporter_name, reporter_contact, age and a description required) "
                                   "or found (meeting_point required). A child's name is never paged. "
                                   "extra_text makes the page wait for a supervisor."},
    "PageAgain": S(template="string", extra_text="string"),
    "Resolve": {**S(state="string", result="string", all_clear="boolean"), "required": ["state"]},
    "Reason": {**S(reason="string"), "required": ["reason"]},
    "Approve": S(sha256="string"),
    "LostItem": {**S(category="string", colour="string", where_found="string", finder="string",
                     storage_place="string", found_at="string", description="string", valuable="boolean"),
                 "required": ["category", "where_found", "finder", "storage_place"]},
    "Rule": {**S(programme="string", kind="string", at="string", days="string", every_minutes="integer",
                 window_start="string", window_end="string", on_date="string", start_date="string",
                 end_date="string", except_dates="string", zones="string", priority="string"),
             "required": ["programme", "kind"]},
    "Script": {"type": "object", "required": ["title", "texts"], "properties": {
        "title": {"type": "string"}, "priority": {"type": "string"}, "zones": {"type": "string"},
        "texts": {"type": "object", "additionalProperties": {"type": "string"},
                  "description": "language tag -> text, in airing order (e.g. zh-CN, en)"}}},
}


def _params(path: str) -> list[dict]:
    out = []
    for part in path.split("/"):
        if part.startswith("{"):
            name = part[1:-1]
            out.append({"name": name, "in": "path", "required": True,
                        "schema": {"type": "integer" if name.endswith("_id") else "string"}})
    return out


def document() -> dict:
    paths: dict = {}
    for method, path, summary, roles, req, ok, tag in ROUTES:
        op: dict = {"summary": summary, "tags": [tag], "description": f"Roles: {roles} (admin holds every role).",
                    "responses": {str(ok): {"description": "OK"} if ok == 204 else
                                  {"description": "OK", "content": {"application/json": {"schema": OBJ}}}}}
        if path.endswith("/audio"):
            op["responses"]["200"] = {"description": "WAV", "content": {"audio/wav": {}}}
        for code, what in (("400", "invalid input"), ("401", "no or bad credentials"), ("403", "role not allowed"),
                           ("404", "no such record"), ("409", "state does not allow this"),
                           ("429", "too many failed log-ins")):
            op["responses"][code] = {"description": what, "content": {"application/json": {"schema": ERR}}}
        if req:
            op["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{req}"}}}}
        if _params(path):
            op["parameters"] = _params(path)
        if path == "/api/token":
            op["security"] = [{"basic": []}]
        paths.setdefault(path, {})[method] = op
    return {
        "openapi": "3.0.3",
        "info": {"title": "PA Broadcaster API", "version": "1.0",
                 "description": "Authenticate with HTTP Basic (the panel's users and passwords) or with a bearer "
                                "token from POST /api/token (valid 12 h; revoked when the password changes). "
                                "Five failed log-ins per user or address in five minutes answer 429."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {"basic": []}],
        "paths": paths,
        "components": {"securitySchemes": {"basic": {"type": "http", "scheme": "basic"},
                                           "bearer": {"type": "http", "scheme": "bearer"}},
                       "schemas": SCHEMAS},
    }
