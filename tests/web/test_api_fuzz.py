"""A property-based run of the whole OpenAPI (schemathesis) against the real app through its WSGI
interface, as an admin (HTTP Basic): every operation, bounded examples generated from the schema that
the input models give; no 5xx, every status, media type, header and body as the document says."""
from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (content_type_conformance, not_a_server_error, response_headers_conformance,
                                 response_schema_conformance, status_code_conformance)

from tests.web.test_api import basic
from web.openapi import ROUTES

EXAMPLES = int(os.environ.get("PA_FUZZ_EXAMPLES", "8"))  # the whole run stays under a minute on a shared box
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]


@pytest.fixture
def api_schema(make_app, approved_templates):
    app = make_app(LOGIN_FAIL_LIMIT=10 ** 6)  # generated bad credentials must not lock the admin out
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


@pytest.mark.parametrize("method,path", [(r[0], r[1]) for r in ROUTES], ids=lambda v: v)
def test_every_operation_keeps_to_its_schema(api_schema, method, path):
    operation = api_schema[path][method.upper()]

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        case.call_and_validate(headers=basic("ada"), checks=CHECKS)

    run()
