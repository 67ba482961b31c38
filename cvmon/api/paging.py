"""Paged lists of the JSON API: ``limit`` and ``offset`` in, the rows as the body, and the number of
matching rows and the links to the neighbouring pages in headers (so a list stays a list)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query, Request, Response

from cvmon.api.params import MAX_ID
from cvmon.read.lists import Page

TOTAL_HEADER = "X-Total-Count"
MAX_LIMIT = 1000
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Rows per page (at most {MAX_LIMIT}).")]
Offset = Annotated[int, Query(ge=0, le=MAX_ID, description="Rows to skip (newest first).")]
PAGED: dict[int | str, dict[str, Any]] = {
    200: {
        "headers": {
            TOTAL_HEADER: {"description": "How many rows match the filters.", "schema": {"type": "integer"}},
            "Link": {
                "description": 'The next and previous pages (rel="next", rel="prev").',
                "schema": {"type": "string"},
            },
        }
    }
}


def page_headers(response: Response, request: Request, page: Page[Any]) -> None:
    """Set the total and the Link header of a page."""
    response.headers[TOTAL_HEADER] = str(page.total)
    links = []
    if page.more:
        links.append((page.offset + page.limit, "next"))
    if page.offset > 0:
        links.append((max(0, page.offset - page.limit), "prev"))
    if links:
        response.headers["Link"] = ", ".join(
            f'<{request.url.include_query_params(offset=offset, limit=page.limit)}>; rel="{rel}"'
            for offset, rel in links
        )
