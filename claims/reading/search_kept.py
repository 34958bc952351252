"""Search's SQL kept as text: each query compiled once per shape, then run with the words alone.

Building a search's querysets (filters, annotations, sub-queries, their resolving) and compiling
them to SQL was 10-15 ms of Python per search at 1M claims, as much as its queries took. The SQL
of a kind does not depend on the words searched for, only on its shape (the reader's kind, the
page's size, whether actors were named, how many quoted phrases): so the queryset is built once
per shape with stand-ins for the words (``slot``), compiled, and kept as its text and parameter
list with the stand-ins' places. Each search then substitutes its words and lets Django turn
the rows into model instances exactly as the queryset would have (select_related, annotations,
converters), from the select list compiled with the text.

The stand-ins must reach the database as parameters, never inside the text: ``compile`` refuses
a queryset that puts one in the SQL itself or loses one, so a change that made Django inline a
word could not go on answering with the first search's words.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connections, models
from django.db.models import QuerySet
from django.db.models.sql import Query
from django.db.models.sql.compiler import SQLCompiler


def slot(name: str) -> str:
    """A stand-in for one word of a search, a text no query holds (private-use characters)."""
    return f"\ue002{name}\ue002"


def array_text(ids: list[int]) -> str:
    """Ids as PostgreSQL's text of a bigint array: one parameter however many they are, so the
    kept text does not depend on how many."""
    return "{" + ",".join(str(int(pk)) for pk in ids) + "}"


@dataclass(frozen=True)
class KeptSQL:
    """One compiled query: its text, its parameters (stand-ins among them) and its select list."""

    model: type[models.Model]
    sql: str
    params: tuple[Any, ...]
    select: Any
    klass_info: Any
    annotation_col_map: Any
    has_extra_select: bool

    @classmethod
    def compile(cls, queryset: QuerySet, slots: Collection[str]) -> KeptSQL:
        """``queryset``, built with ``slots`` for its words, compiled once."""
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        passed = {p for p in params if isinstance(p, str)}
        if any(s in sql for s in slots) or not set(slots) <= passed:
            raise ValueError(f"a word of the search would not be a parameter of: {sql}")
        return cls(
            queryset.model,
            sql,
            tuple(params),
            compiler.select,
            compiler.klass_info,
            compiler.annotation_col_map,
            compiler.has_extra_select,
        )

    def params_for(self, words: Mapping[str, Any]) -> tuple[Any, ...]:
        """The parameters with each stand-in replaced by its word."""
        return tuple(words.get(p, p) if isinstance(p, str) else p for p in self.params)

    def queryset(self, words: Mapping[str, Any]) -> QuerySet:
        """The kept query with ``words``, as a queryset to iterate (nothing else)."""
        return QuerySet(self.model, query=_KeptQuery(self, self.params_for(words)))


class _KeptQuery(Query):
    """A query whose compiler answers with kept SQL instead of compiling itself."""

    def __init__(self, kept: KeptSQL, params: tuple[Any, ...]) -> None:
        super().__init__(kept.model)
        self.kept, self.kept_params = kept, params

    def get_compiler(
        self, using: str | None = None, connection: Any = None, elide_empty: bool = True
    ) -> SQLCompiler:
        connection = connection or connections[using or "default"]
        return _KeptCompiler(self, connection, using, elide_empty)


class _KeptCompiler(SQLCompiler):
    """The kept text and parameters, and the select list Django reads the rows with."""

    query: _KeptQuery

    def as_sql(
        self, with_limits: bool = True, with_col_aliases: bool = False
    ) -> tuple[str, tuple[Any, ...]]:
        kept = self.query.kept
        self.select, self.klass_info = kept.select, kept.klass_info
        self.annotation_col_map = kept.annotation_col_map
        self.col_count, self.has_extra_select = len(kept.select), kept.has_extra_select
        return kept.sql, self.query.kept_params
