"""Reading a data package (claims.exchange.datapackage) back into the dataset's records.

Each table's rows are checked against its header and column types, list tables are gathered
into their parent records by position, and the records come out in the order the JSON Lines
dataset has them, so one importer checks and writes both formats. A row of a list table that
names no row of its parent table, a repeated key or a wrong header is reported with its file
and line.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings

from claims.exchange import dataset, files
from claims.exchange.datapackage import DESCRIPTOR, Table, tables
from claims.exchange.dataset import HEAD_TYPE, Row


def members_of_directory(path: Path) -> dict[str, bytes]:
    if not (path / DESCRIPTOR).is_file():
        raise files.UnreadableFile(f"{path} holds no {DESCRIPTOR}: it is not a data package")
    names = [DESCRIPTOR, *(t.path for t in tables())]
    present = [path / name for name in names if (path / name).is_file()]
    files.check_size(sum(p.stat().st_size for p in present))
    return {p.name: p.read_bytes() for p in present}


def read_file(data: bytes, *, name: str = "") -> tuple[list[Row], list[dict[str, Any]]]:
    """The rows of any dataset file: a zipped data package, JSON Lines or CSV; UnreadableFile
    when it is none of them."""
    if files.is_zip(data):
        return read_package(files.members_of_zip(data))
    return dataset.read_rows(files.decode(data), name=name)


def read_stream(stream: BinaryIO, *, name: str = "") -> tuple[dataset.Rows, list[dict[str, Any]]]:
    """The rows of a dataset file open for reading in binary, and the lines that did not parse.

    A zipped data package is read whole (a zip's directory is at its end; IMPORT_MAX_BYTES
    bounds it); JSON Lines and CSV are read a line at a time, once to check and count and again
    for each later pass (claims.exchange.dataset.DatasetFile), never held whole.
    """
    start = stream.read(4)
    stream.seek(0)
    if files.is_zip(start):
        return read_file(stream.read(settings.IMPORT_MAX_BYTES + 1), name=name)
    files.check_stream(stream)
    rows = dataset.DatasetFile(stream, name=name).scan()
    return rows, rows.errors


def read_package(members: Mapping[str, bytes]) -> tuple[list[Row], list[dict[str, Any]]]:
    """The dataset records of a package's files, or the reasons they cannot be read."""
    if DESCRIPTOR not in members:
        raise files.UnreadableFile(f"the zip holds no {DESCRIPTOR}: it is not a data package")
    try:
        package = json.loads(files.decode(members[DESCRIPTOR]))
    except ValueError as error:
        raise files.UnreadableFile(f"{DESCRIPTOR} is not valid JSON ({error})") from None
    errors: list[dict[str, Any]] = []
    head = package.get("head") if isinstance(package, dict) else None
    if head is not None and not _is_head(head):
        errors.append({"file": DESCRIPTOR, "line": 1, "reason": "head: not a signed tree head"})
    reader = _Reader(members, errors)
    rows = reader.records()
    return rows, errors


def _is_head(head: Any) -> bool:
    return (
        dataset.head_problem({"type": HEAD_TYPE, **head} if isinstance(head, dict) else head)
        is None
    )


class _Reader:
    def __init__(self, members: Mapping[str, bytes], errors: list[dict[str, Any]]) -> None:
        self.members = members
        self.errors = errors

    def fail(self, table: Table, line: int, reason: str) -> None:
        self.errors.append({"file": table.path, "line": line, "reason": reason})

    def table_rows(self, table: Table) -> Iterator[tuple[int, dict[str, Any]]]:
        data = self.members.get(table.path)
        if data is None:
            self.fail(table, 0, f"the package has no {table.path}")
            return
        try:
            text = files.decode(data) if data else ""
        except files.UnreadableFile as refusal:
            self.fail(table, 0, refusal.message)
            return
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, None)
        if header != table.header:
            self.fail(table, 1, f"the header must be {','.join(table.header)}, not {header}")
            return
        for cells in reader:
            line = reader.line_num
            if len(cells) != len(table.columns):
                self.fail(table, line, f"{len(cells)} cells; the header has {len(table.columns)}")
                continue
            try:
                yield line, {c.name: c.read(v) for c, v in zip(table.columns, cells, strict=True)}
            except dataset.RowError as error:
                self.fail(table, line, str(error))

    def records(self) -> list[Row]:
        parents: dict[str, dict[Any, Row]] = {}
        rows: list[Row] = []
        for table in tables():
            keyed = self._load(table, parents, rows)
            if not table.items and table.record in ("actor", "claim"):
                parents[table.record] = keyed
        return rows

    def _load(self, table: Table, parents: dict[str, dict[Any, Row]], rows: list[Row]) -> dict:
        keyed: dict[Any, Row] = {}
        items: dict[Any, dict[int, Any]] = defaultdict(dict)
        for line, values in self.table_rows(table):
            key = tuple(values[name] for name in table.primary_key)
            if key in keyed or (table.items and values["position"] in items[key[0]]):
                self.fail(table, line, f"the key {', '.join(map(str, key))} appears twice")
                continue
            if table.items:
                parent = parents.get(table.record, {}).get(values[table.header[0]])
                if parent is None:
                    self.fail(table, line, f"{table.header[0]} {key[0]!r} is not in the package")
                    continue
                items[key[0]][values["position"]] = self._item(table, values)
                parent.record[table.items] = [v for _, v in sorted(items[key[0]].items())]
                keyed[key] = parent
                continue
            record = {"type": table.record, **values}
            record.pop("position", None)
            # Every list of the record, empty until its table's rows fill it.
            record |= {t.items: [] for t in tables() if t.items and t.record == table.record}
            row = Row(line, record, file=table.path)
            keyed[key[0] if len(key) == 1 else key] = row
            rows.append(row)
        return keyed

    @staticmethod
    def _item(table: Table, values: dict[str, Any]) -> Any:
        own = {k: v for k, v in values.items() if k not in (table.header[0], "position")}
        if table.items in ("aliases", "targets"):
            return list(own.values())
        return own
