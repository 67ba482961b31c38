"""Every operation of the OpenAPI document, fuzzed by schemathesis as a signed-in admin, at the root and
bound to one UP3: no server errors.

The cases are generated from the app's own ``/openapi.json`` (positive and negative data) and sent
in-process through schemathesis' ASGI transport with the admin's session cookie, CSRF token and the
metrics token. Logout is left out, and so are changes to the signed-in admin, so the session lives
through the run. Deterministic (derandomized) and bounded, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, Case, CheckContext, GenerationMode, Response
from schemathesis.checks import not_a_server_error
from schemathesis.errors import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance

from cvmon.storage.users import normalise_username
from tests.api.conftest import METRICS_TOKEN, Api, add_scoped_users

EXAMPLES = {GenerationMode.POSITIVE: 30, GenerationMode.NEGATIVE: 15}
KNOWN_EXAMPLES = 30
LEFT_OUT = {"POST /api/logout"}  # it would end the session the run signs in with
# The admin of each run, and the seeded objects of its units the known-id passes name.
# The scoped admin's run has half the examples: most of what it exercises the root admin's run did.
RUNS: dict[str, dict[str, Any]] = {
    "admin": {"camera_id": "cam-a", "camera": "cam-a", "username": "pic-b", "of": "cam-a", "share": 1.0},
    "admin-bima": {"camera_id": "cam-c", "camera": "cam-c", "username": "pic-c", "of": "cam-c", "share": 0.5},
}


def success_schema_conformance(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    """The body of a 2xx response matches its documented schema.

    Error bodies are left out: FastAPI documents every 422 as its own list of validation errors, while
    the routes' own 4xx (a bad 'from', an unknown unit) carry a one-line ``{"detail": "..."}``.
    """
    if response.status_code >= 400:
        return None
    return response_schema_conformance(ctx, response, case)


def _not_the_admin(admin: str) -> Callable[[Case], bool]:
    def keep(case: Case) -> bool:
        """Changes to the signed-in admin could end the run's session (a new password, new units)."""
        username = (case.path_parameters or {}).get("username")
        return not (case.method == "PATCH" and isinstance(username, str) and normalise_username(username) == admin)

    return keep


def _runner(strategy: st.SearchStrategy[Case], examples: int, headers: dict[str, str]) -> Callable[[], None]:
    @given(case=strategy)
    @settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Case) -> None:
        case.call_and_validate(headers=headers, checks=[not_a_server_error, success_schema_conformance])

    return run


def _passes(
    operation: APIOperation, known: dict[str, Any], share: float
) -> Iterator[tuple[str, st.SearchStrategy[Case], int]]:
    """Positive and negative cases, and for an operation that names a camera, alert, snapshot or user,
    positive cases for a seeded one too, so generated cases also get past the 404 of an unknown id."""
    for mode, examples in EXAMPLES.items():
        yield mode.value, operation.as_strategy(generation_mode=mode), max(1, round(examples * share))
    path = {p.name: known[p.name] for p in operation.path_parameters if p.name in known}
    query = {p.name: known[p.name] for p in operation.query if p.name in known}
    if path or query:
        strategy = operation.as_strategy(path_parameters=path or None, query=query or None)
        yield (
            f"positive, with {', '.join(f'{k}={v}' for k, v in {**path, **query}.items())}",
            strategy,
            max(1, round(KNOWN_EXAMPLES * share)),
        )


@pytest.mark.parametrize("admin", list(RUNS))
def test_no_operation_answers_with_a_server_error(api: Api, admin: str) -> None:
    if admin != "admin":
        add_scoped_users(api.seeded.db)
    run = RUNS[admin]
    client, csrf = api.login(admin)
    cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    headers = {"Cookie": cookie, "X-CSRF-Token": csrf, "Authorization": f"Bearer {METRICS_TOKEN}"}
    known = {
        "camera_id": run["camera_id"],
        "camera": run["camera"],
        "alert_id": api.seeded.alerts[run["of"]],
        "evidence_id": api.seeded.evidence[run["of"]],
        "username": run["username"],
    }
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.app, headers={"Cookie": cookie})
    failures, labels = [], []
    for result in schema.get_all_operations():
        operation = result.ok()
        labels.append(operation.label)
        if operation.label in LEFT_OUT:
            continue
        for name, strategy, examples in _passes(operation, known, run["share"]):
            try:
                _runner(strategy.filter(_not_the_admin(admin)), examples, headers)()
            except Unsatisfiable:  # nothing of this operation can be made invalid (negative data)
                assert name == GenerationMode.NEGATIVE.value, operation.label
            except (Exception, FailureGroup) as err:  # every operation runs; the failures are listed at the end
                failures.append(f"{operation.label} ({name}): {err}")
    assert {"GET /api/users", "PATCH /api/users/{username}", "POST /api/alerts/{alert_id}/resolve"} <= set(labels)
    assert client.get("/api/me").status_code == 200  # the session lived through the run
    assert failures == [], "\n\n".join(failures)
