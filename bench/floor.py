"""The floor: a bare WSGI app that answers the claim list with ONE SQL query building the JSON.

No Django, no serializer: PostgreSQL builds the same document as ``/api/v1/claims/`` (first page,
50 newest published claims, nested speaker, spokesperson, incident and accused actors, the derived
standing, links and the next cursor) and the app returns its bytes. It is the fastest a REST
layer over this database can answer, and the benchmark's yardstick.

    gunicorn bench.floor:app   (DATABASE_URL names the database)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

import psycopg2

PAGE_SIZE = 50

# Mirrors claims.api: ClaimSerializer's fields, ClaimQuerySet.with_standing(), describe() of
# claimtracker/dates.py and DRF's CursorPagination next link (position + offset).
SQL = """
WITH page AS (
    SELECT c.*, row_number() OVER (ORDER BY c.made_on DESC, c.id DESC) AS n
    FROM claims_claim c
    WHERE c.status = 'published'
    ORDER BY c.made_on DESC, c.id DESC
    LIMIT %(size)s + 1
),
tail AS (
    -- DRF's next cursor: the last position that differs from the row after the page, and how
    -- many rows at the end of the page share the next row's position.
    SELECT (SELECT count(*) FROM page p WHERE p.n <= %(size)s
              AND p.made_on = (SELECT made_on FROM page WHERE n = %(size)s + 1)
              AND p.n > (SELECT coalesce(max(q.n), 0) FROM page q WHERE q.n <= %(size)s
                          AND q.made_on <> (SELECT made_on FROM page WHERE n = %(size)s + 1)))
           AS offset_,
           (SELECT made_on FROM page q WHERE q.n <= %(size)s
              AND q.made_on <> (SELECT made_on FROM page WHERE n = %(size)s + 1)
            ORDER BY q.n DESC LIMIT 1) AS position,
           EXISTS (SELECT 1 FROM page WHERE n = %(size)s + 1) AS more
)
SELECT json_build_object(
    'next', CASE WHEN tail.more THEN
        %(base)s || '/api/v1/claims/?cursor=' || replace(replace(replace(
            encode(convert_to(
                CASE WHEN tail.offset_ > 0 THEN 'o=' || tail.offset_ || '&' ELSE '' END
                || 'p=' || tail.position::text, 'UTF8'), 'base64'),
            '=', '%%3D'), '+', '%%2B'), '/', '%%2F')
        END,
    'previous', NULL,
    'results', coalesce((
        SELECT json_agg(json_build_object(
            'id', c.id,
            'uid', c.uid,
            'kind', c.kind,
            'status', c.status,
            'speaker', json_build_object(
                'id', s.id, 'slug', s.slug, 'name', s.name, 'kind', s.kind),
            'spokesperson', CASE WHEN sp.id IS NOT NULL THEN json_build_object(
                'id', sp.id, 'slug', sp.slug, 'name', sp.name, 'kind', sp.kind) END,
            'summary', c.summary,
            'made_on', c.made_on,
            'made_precision', c.made_precision,
            'made_as_stated', c.made_as_stated,
            'made_display', CASE c.made_precision
                WHEN 'week' THEN 'week of ' || to_char(c.made_on, 'FMDD Mon YYYY') || ' – '
                                 || to_char(c.made_on + 6, 'FMDD Mon YYYY')
                WHEN 'month' THEN to_char(c.made_on, 'FMMonth YYYY')
                WHEN 'year' THEN to_char(c.made_on, 'YYYY')
                ELSE to_char(c.made_on, 'FMDD Mon YYYY') END,
            'incident', CASE WHEN i.id IS NOT NULL THEN json_build_object(
                'id', i.id, 'slug', i.slug, 'title', i.title,
                'url', %(base)s || '/api/v1/incidents/' || i.slug || '/') END,
            'accused', coalesce((
                SELECT json_agg(json_build_object(
                    'id', a.id, 'slug', a.slug, 'name', a.name, 'kind', a.kind) ORDER BY t.id)
                FROM claims_claimtarget t JOIN sources_actor a ON a.id = t.actor_id
                WHERE t.claim_id = c.id AND t.role = 'accused'), '[]'::json),
            'standing', CASE
                WHEN EXISTS (SELECT 1 FROM claims_response r
                    JOIN claims_claim rc ON rc.id = r.claim_id
                    WHERE r.answers_id = c.id AND rc.status = 'published' AND r.kind = 'retracts'
                      AND rc.speaker_id = c.speaker_id) THEN 'retracted'
                WHEN EXISTS (SELECT 1 FROM claims_response r
                    JOIN claims_claim rc ON rc.id = r.claim_id
                    WHERE r.answers_id = c.id AND rc.status = 'published'
                      AND r.kind IN ('corrects', 'updates') AND rc.speaker_id = c.speaker_id)
                    THEN 'superseded'
                WHEN EXISTS (SELECT 1 FROM claims_response r
                    JOIN claims_claim rc ON rc.id = r.claim_id
                    WHERE r.answers_id = c.id AND rc.status = 'published' AND r.kind IN
                    ('denies', 'disputes', 'rebuts', 'attacks_credibility', 'corrects'))
                 AND EXISTS (SELECT 1 FROM claims_response r
                    JOIN claims_claim rc ON rc.id = r.claim_id
                    WHERE r.answers_id = c.id AND rc.status = 'published'
                      AND r.kind IN ('confirms', 'corroborates') AND rc.speaker_id <> c.speaker_id)
                    THEN 'contested'
                WHEN EXISTS (SELECT 1 FROM claims_response r
                    JOIN claims_claim rc ON rc.id = r.claim_id
                    WHERE r.answers_id = c.id AND rc.status = 'published' AND r.kind = 'denies')
                    THEN 'denied'
                WHEN EXISTS (SELECT 1 FROM claims_response r
                    JOIN claims_claim rc ON rc.id = r.claim_id
                    WHERE r.answers_id = c.id AND rc.status = 'published' AND r.kind IN
                    ('denies', 'disputes', 'rebuts', 'attacks_credibility', 'corrects'))
                    THEN 'disputed'
                WHEN EXISTS (SELECT 1 FROM claims_response r
                    JOIN claims_claim rc ON rc.id = r.claim_id
                    WHERE r.answers_id = c.id AND rc.status = 'published'
                      AND r.kind IN ('confirms', 'corroborates') AND rc.speaker_id <> c.speaker_id)
                    THEN 'corroborated'
                ELSE 'unanswered' END,
            'url', %(base)s || '/api/v1/claims/' || c.id || '/',
            'html_url', %(base)s || '/claims/' || c.id || '/'
        ) ORDER BY c.n)
        FROM page c
        JOIN sources_actor s ON s.id = c.speaker_id
        LEFT JOIN sources_actor sp ON sp.id = c.spokesperson_id
        LEFT JOIN claims_incident i ON i.id = c.incident_id
        WHERE c.n <= %(size)s), '[]'::json)
)::text
FROM tail
"""

_connection = None


def _cursor() -> psycopg2.extensions.cursor:
    """One connection per worker process, kept open (as Django's CONN_MAX_AGE does)."""
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg2.connect(os.environ["DATABASE_URL"])
        _connection.autocommit = True
    return _connection.cursor()


def claim_list_json(base: str, size: int = PAGE_SIZE, cursor: object = None) -> bytes:
    """The first page of the claim list as the API's JSON, built entirely by PostgreSQL.

    ``cursor``: a DB-API cursor to use instead of the worker's own connection (tests).
    """
    with cursor or _cursor() as cursor:
        cursor.execute(SQL, {"base": base, "size": size})
        return cursor.fetchone()[0].encode()


def app(environ: dict, start_response: Callable) -> Iterable[bytes]:
    scheme = environ.get("wsgi.url_scheme", "http")
    host = environ.get("HTTP_HOST") or environ["SERVER_NAME"]
    body = claim_list_json(f"{scheme}://{host}")
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]
