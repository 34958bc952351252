"""The dataset as a Frictionless data package: one CSV per kind of row, lossless, byte-identical
through an empty database, valid by the frictionless validator, naming its tree head."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import frictionless
import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.devdata.demo import load_demo
from claims.exchange import datapackage, dataset, package_reader
from claims.exchange.importer import import_rows
from claims.ledger import tree
from claims.models import CasualtyFigure, Claim
from claims.models.history import ChangeRecord
from claims.record.workflow import OPERATOR
from sources.models import Actor
from tests.factories import ActorFactory, AliasFactory, ClaimFactory
from tests.ledger_support import use_test_key, verify, write_json
from tests.test_jobs_imports import empty_the_database, export

pytestmark = pytest.mark.django_db

CSVS = [table.path for table in datapackage.tables()]


def package(target: Path) -> dict[str, bytes]:
    call_command("export_dataset", "--format", "datapackage", "-o", str(target), verbosity=0)
    if target.suffix == ".zip":
        with zipfile.ZipFile(target) as archive:
            return {name: archive.read(name) for name in archive.namelist()}
    return {p.name: p.read_bytes() for p in sorted(target.iterdir())}


def descriptor(members: dict[str, bytes]) -> dict:
    return json.loads(members["datapackage.json"])


def without_head(members: dict[str, bytes]) -> dict:
    described = descriptor(members)
    described.pop("head")
    return {**members, "datapackage.json": described}


def test_the_demo_round_trips_byte_identically_as_a_zipped_data_package(tmp_path):
    load_demo()
    first = package(tmp_path / "first.zip")
    assert sorted(first) == sorted(["datapackage.json", *CSVS])
    empty_the_database()
    call_command("import_dataset", str(tmp_path / "first.zip"), verbosity=0)
    second = package(tmp_path / "second.zip")
    for name in CSVS:
        assert second[name] == first[name], name
    # Every byte of the descriptor too, but for the head: this database's tree is another.
    assert without_head(second) == without_head(first)
    assert Claim.objects.get(summary__startswith="The White Helmets, through").figures.count() == 2


def test_a_directory_package_round_trips_and_says_the_same_as_json_lines(tmp_path):
    load_demo()
    jsonl = export()
    first = package(tmp_path / "first")
    empty_the_database()
    call_command("import_dataset", str(tmp_path / "first"), verbosity=0)
    assert package(tmp_path / "second") | {"datapackage.json": b""} == first | {
        "datapackage.json": b""
    }
    # The package holds exactly the JSON Lines dataset's records, nothing lost or joined.
    rows, errors = package_reader.read_package(first)
    assert not errors
    assert "".join(dataset.dumps(row.record) + "\n" for row in rows) == jsonl


def test_figures_and_chains_are_rows_of_their_own_never_joined(tmp_path):
    load_demo()
    members = package(tmp_path / "demo.zip")
    figures = members["figures.csv"].decode().splitlines()
    assert figures[0] == "claim,position,category,outcome,low,high,qualifier,as_stated,basis," + (
        "reported_by"
    )
    assert any(",exactly,152,152" not in line and "152,152" in line for line in figures)
    chain = members["attributions.csv"].decode().splitlines()
    assert chain[0] == "claim,position,actor,document,verb,note"
    assert len(chain) - 1 == sum(c.attributions.count() for c in Claim.objects.all())


def test_the_package_is_valid_by_the_frictionless_validator(tmp_path):
    load_demo()
    package(tmp_path / "demo")
    report = frictionless.validate(str(tmp_path / "demo" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    described = descriptor(package(tmp_path / "again"))
    claims = next(r for r in described["resources"] if r["name"] == "claims")
    assert claims["schema"]["primaryKey"] == ["uid"]
    assert {"fields": ["speaker"], "reference": {"resource": "actors", "fields": ["slug"]}} in (
        claims["schema"]["foreignKeys"]
    )
    assert described["licenses"] == [
        {"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}
    ]


def test_the_validator_catches_a_figure_of_a_claim_that_is_not_there(tmp_path):
    """The schema's keys say something: a broken reference fails frictionless's check too."""
    load_demo()
    members = package(tmp_path / "demo")
    lines = members["figures.csv"].decode().split("\r\n")
    lines[1] = "00000000-0000-4000-8000-000000000000" + lines[1][36:]
    (tmp_path / "demo" / "figures.csv").write_text("\r\n".join(lines), newline="")
    report = frictionless.validate(
        str(tmp_path / "demo" / "datapackage.json"), skip_errors=["hash-count", "byte-count"]
    )
    assert not report.valid
    assert ["foreign-key"] in report.flatten(["type"])


def test_the_package_and_the_json_lines_name_the_signed_head_they_were_read_at(settings, tmp_path):
    use_test_key(settings)
    load_demo()
    size = tree.size()
    head = descriptor(package(tmp_path / "demo.zip"))["head"]
    assert (head["tree_size"], head["root_hash"]) == (size, tree.root(size).hex())
    assert head["signature"]
    assert head["key_id"]
    assert head["record"]["id"] == ChangeRecord.objects.order_by("-id").values_list("id")[0][0]
    out = io.StringIO()
    dataset.export_dataset(out=out)
    first = json.loads(out.getvalue().partition("\n")[0])
    assert first | {"type": "-"} == head | {"type": "-"}


def test_a_head_record_anywhere_but_first_is_refused():
    ActorFactory(slug="a")
    out = io.StringIO()
    dataset.export_dataset(out=out)
    head, _, rest = out.getvalue().partition("\n")
    rows, _ = dataset.read_rows(rest + head + "\n", name="x.jsonl")
    outcome = import_rows(rows, by=OPERATOR, dry_run=True)
    assert [e["reason"] for e in outcome.errors] == [
        "a head record may only be the first record of a dataset"
    ]
    rows, _ = dataset.read_rows('{"type":"head","tree_size":"many"}\n', name="x.jsonl")
    assert import_rows(rows, by=OPERATOR, dry_run=True).errors[0]["reason"] == (
        "head: tree_size is not a whole number"
    )


def test_a_row_of_a_list_naming_no_parent_is_refused_with_its_file_and_line(tmp_path):
    load_demo()
    package(tmp_path / "demo")
    figures = tmp_path / "demo" / "figures.csv"
    lines = figures.read_bytes().split(b"\r\n")
    lines[2] = b"00000000-0000-4000-8000-000000000000" + lines[2][36:]
    figures.write_bytes(b"\r\n".join(lines))
    empty_the_database()
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_dataset", str(tmp_path / "demo"), stderr=stderr, verbosity=0)
    assert "figures.csv line 3: claim '00000000-0000-4000-8000-000000000000' is not in" in (
        stderr.getvalue()
    )
    assert Actor.objects.count() == 0


def test_a_wrong_header_and_a_zip_without_a_descriptor_are_refused(tmp_path):
    load_demo()
    package(tmp_path / "demo")
    actors = tmp_path / "demo" / "actors.csv"
    actors.write_bytes(actors.read_bytes().replace(b"slug,name", b"name,slug", 1))
    stderr = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_dataset", str(tmp_path / "demo"), stderr=stderr, verbosity=0)
    assert "actors.csv line 1: the header must be slug,name," in stderr.getvalue()
    bare = tmp_path / "bare.zip"
    with zipfile.ZipFile(bare, "w") as archive:
        archive.writestr("actors.csv", "slug\r\n")
    with pytest.raises(CommandError, match=r"holds no datapackage\.json"):
        call_command("import_dataset", str(bare), verbosity=0)


def test_a_package_needs_somewhere_to_go():
    with pytest.raises(CommandError, match="needs -o"):
        call_command("export_dataset", "--format", "datapackage", verbosity=0)


# --- awkward text, through the package and an empty database -----------------------------------

AWKWARD = st.text(
    alphabet=st.one_of(
        st.sampled_from([",", '"', "\n", "\r", "\u2028", "\u2029", "\x85", " ", "0", ";"]),
        st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
    ),
    min_size=1,
    max_size=30,
)


def record_with(text: str, figure_low: int | None) -> None:
    speaker = ActorFactory(name=f"Speaker {text}", slug="speaker", description=text)
    AliasFactory(actor=speaker, name=f"{text} alias", language="")
    claim = ClaimFactory(speaker=speaker, summary=f"The speaker says {text}", quote=text)
    # A low and no high ("at least"), or no low and a high ("up to"): null cells either way.
    low, high, qualifier = (
        (None, 5, "up_to") if figure_low is None else (figure_low, None, "at_least")
    )
    CasualtyFigure.objects.create(
        claim=claim, category="civilians", outcome="killed", low=low, high=high,
        qualifier=qualifier, as_stated=f"0{text}", basis=text,
    )  # fmt: skip


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=AWKWARD, figure_low=st.one_of(st.none(), st.integers(0, 10**6)))
def test_any_text_round_trips_through_the_data_package(text, figure_low):
    with transaction.atomic():
        record_with(text, figure_low)
        buffer = io.BytesIO()
        datapackage.export_package(buffer)
        first = package_reader.read_package(zipfile_members(buffer))[0]
        jsonl = export()
        empty_the_database()
        rows, errors = package_reader.read_file(buffer.getvalue(), name="x.zip")
        assert not errors
        outcome = import_rows(rows, by=OPERATOR)
        assert outcome.ok, outcome.errors
        again = io.BytesIO()
        datapackage.export_package(again)
        assert csvs(again) == csvs(buffer)
        assert export() == jsonl
        assert [r.record for r in first] == [r.record for r in rows]
        figure = CasualtyFigure.objects.get()
        assert (figure.low, figure.basis, figure.as_stated) == (figure_low, text, f"0{text}")
        assert Actor.objects.get().aliases.get().language == ""
        transaction.set_rollback(True)


def zipfile_members(buffer: io.BytesIO) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def csvs(buffer: io.BytesIO) -> dict[str, bytes]:
    return {k: v for k, v in zipfile_members(buffer).items() if k.endswith(".csv")}


def test_the_verifier_checks_a_datasets_head_and_that_the_record_since_extends_it(
    settings, tmp_path, client
):
    key = use_test_key(settings)
    load_demo()
    package(tmp_path / "demo.zip")
    jsonl = tmp_path / "demo.jsonl"
    call_command("export_dataset", "-o", str(jsonl), verbosity=0)
    for exported in (tmp_path / "demo.zip", jsonl):
        checked = verify("head", exported, "--public-key", key)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert checked.stdout.startswith(f"OK: the head of size {tree.size()}")
    old = tree.size()
    ActorFactory(slug="written-later")
    new = client.get("/api/v1/ledger/head/").json()
    proof = client.get(f"/api/v1/ledger/proof/consistency/?from={old}&to={new['tree_size']}")
    checked = verify(
        "consistency", write_json(tmp_path / "c.json", proof.json()),
        "--old", tmp_path / "demo.zip", "--new", write_json(tmp_path / "new.json", new),
        "--public-key", key,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # A head altered after signing (another root) fails, naming the head.
    lines = jsonl.read_text(encoding="utf-8").split("\n")
    head = json.loads(lines[0]) | {"root_hash": "0" * 64}
    jsonl.write_text("\n".join([json.dumps(head), *lines[1:]]), encoding="utf-8")
    checked = verify("head", jsonl, "--public-key", key)
    assert checked.returncode == 1
    assert "is not signed by this key" in checked.stdout
