"""Each rule of the editor assistant on the example sentence its docstring gives."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from claims.assistant import scoring
from claims.assistant.catalogue import Catalogue
from claims.assistant.dates import find_dates
from claims.assistant.figures import find_figures, to_number
from claims.assistant.pipeline import propose
from claims.assistant.quotes import find_quotes
from claims.assistant.responses import response_cue
from claims.assistant.speakers import find_mentions, guess_kind

SET = Path(__file__).parent / "data" / "assistant"
PUBLISHED = dt.date(2017, 9, 26)  # a Tuesday


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return scoring.catalogue_from(SET / "actors.json")


def claims_of(text: str, catalogue: Catalogue, publisher: str = "rt"):
    return propose(text, published_on=PUBLISHED, publisher=publisher, catalogue=catalogue).claims


# --- speakers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "slug"),
    [
        ("The Syrian Civil Defence said the strikes went on.", "white-helmets"),
        ("Russia's Defence Ministry said the strikes went on.", "russian-defence-ministry"),
        ("Jabhat al-Nusra said the strikes went on.", "nusra-front"),
    ],
)
def test_an_alias_or_a_bent_name_finds_the_record_actor(catalogue, sentence, slug):
    assert claims_of(sentence, catalogue)[0].speaker.slug == slug


def test_a_person_with_a_role_speaks_for_the_organisation(catalogue):
    text = "Ministry spokesman Major General Igor Konashenkov denied it."
    mentions = find_mentions(catalogue.nlp(text), catalogue)
    person = mentions[0]
    assert (person.slug, person.role) == ("igor-konashenkov", "spokesman (Major General)")


def test_a_named_person_after_their_name_takes_the_role_and_organisation(catalogue):
    text = "Anna Petrova, a spokeswoman for Amnesty International, said the toll was higher."
    claim = claims_of(text, catalogue)[0]
    assert claim.speaker.slug == "amnesty"
    assert (claim.spokesperson.name, claim.spokesperson.role) == ("Anna Petrova", "spokeswoman")


def test_an_unnamed_spokesman_speaks_for_the_group(catalogue):
    claim = claims_of("A spokesman for the White Helmets said 12 people died.", catalogue)[0]
    assert claim.speaker.slug == "white-helmets"
    assert claim.spokesperson.slug == "white-helmets-spokesperson"


def test_vague_sources_are_unidentified_actors(catalogue):
    claim = claims_of("Critics say the group staged rescues.", catalogue)[0]
    assert claim.speaker.slug == "unnamed-critics"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Amnesty International", "organisation"),
        ("AFP", "news_agency"),
        ("Interior Ministry", "state_body"),
        ("Mustafa Bali", "person"),
        ("Free Syrian Army", "armed_group"),
    ],
)
def test_a_new_name_gets_a_kind_guess(name, kind):
    assert guess_kind(name) == kind


def test_a_name_the_record_lacks_is_proposed_as_a_new_actor(catalogue):
    claim = claims_of("Medical Aid Watch said the hospital was hit.", catalogue)[0]
    assert (claim.speaker.is_new, claim.speaker.name) == (True, "Medical Aid Watch")


# --- quotes -----------------------------------------------------------------------------------


def test_a_quote_is_kept_exactly_in_straight_or_curly_marks():
    text = 'He said Russian planes "do not strike residential areas". She said “we saw it”.'
    assert [q.text for q in find_quotes(text)] == ["do not strike residential areas", "we saw it"]


def test_a_quote_spans_sentences_and_guillemets_count():
    text = "«All targets were confirmed. None was a village», he said."
    assert [q.text for q in find_quotes(text)] == ["All targets were confirmed. None was a village"]


def test_an_apostrophe_opens_no_quote_and_a_scare_quote_is_no_speech():
    assert find_quotes("The ministry's so-called ‘moderate’ rebels.") == []


def test_one_word_after_a_naming_cue_is_a_quote():
    text = "Konashenkov called the White Helmets “crooks”."
    assert [q.text for q in find_quotes(text)] == ["crooks"]


def test_a_quote_belongs_to_the_speaker_its_cue_names(catalogue):
    text = "“We are running out of words,” the White Helmets said."
    claim = claims_of(text, catalogue)[0]
    assert (claim.speaker.slug, claim.quote) == ("white-helmets", "We are running out of words,")


# --- figures ----------------------------------------------------------------------------------


def _figures(text):
    return [(f.low, f.high, f.qualifier, f.as_stated) for f in find_figures(text)]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("its members recovered 152 bodies of civilians", [(152, 152, "exactly", "152 bodies")]),
        ("over 150 civilians were killed", [(150, None, "more_than", "over 150 civilians")]),
        ("at least 22 people", [(22, None, "at_least", "at least 22 people")]),
        ("up to 40 people are missing", [(None, 40, "up_to", "up to 40 people")]),
        ("as many as 40 died", [(None, 40, "up_to", "as many as 40")]),
        ("some 300 people were injured", [(300, 300, "about", "some 300 people")]),
        ("between 30 and 40 people died", [(30, 40, "between", "between 30 and 40 people")]),
        ("twelve children were killed", [(12, 12, "exactly", "twelve children")]),
        (
            "more than a dozen soldiers died",
            [(12, None, "more_than", "more than a dozen soldiers")],
        ),
        ("dozens of civilians died", [(None, None, "at_least", "dozens of civilians")]),
    ],
)
def test_a_figure_keeps_its_number_qualifier_and_words(sentence, expected):
    assert _figures(sentence) == expected


def test_a_part_of_a_whole_is_a_second_figure():
    found = _figures("The strike killed at least 22, including 12 staff members.")
    assert [f[:3] for f in found] == [(22, None, "at_least"), (12, 12, "exactly")]


def test_bodies_recovered_are_the_basis_and_the_noun_the_category():
    figure = find_figures("its members recovered 152 bodies of civilians")[0]
    assert (figure.basis, figure.category, figure.outcome) == (
        "bodies recovered",
        "civilians",
        "killed",
    )


def test_the_outcome_follows_the_words_around_the_number():
    assert find_figures("34 people were injured")[0].outcome == "injured"
    assert find_figures("seven people were missing")[0].outcome == "missing"


def test_numbers_in_words_and_digits_read_the_same():
    assert [to_number(w) for w in ("1,300", "twenty-five", "three hundred", "a dozen")] == [
        1300,
        25,
        300,
        12,
    ]


def test_a_year_or_a_distance_is_no_figure():
    assert find_figures("In 2017 the convoy drove 40 km.") == []


# --- dates ------------------------------------------------------------------------------------


def _dates(text):
    return [(d.as_stated, d.on, d.precision) for d in find_dates(text, PUBLISHED)]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("during the previous week", ("the previous week", dt.date(2017, 9, 18), "week")),
        ("last week", ("last week", dt.date(2017, 9, 18), "week")),
        ("earlier this month", ("earlier this month", dt.date(2017, 9, 1), "month")),
        ("on Saturday", ("on Saturday", dt.date(2017, 9, 23), "day")),
        ("yesterday", ("yesterday", dt.date(2017, 9, 25), "day")),
        ("in September", ("in September", dt.date(2017, 9, 1), "month")),
        ("в сентябре", ("в сентябре", dt.date(2017, 9, 1), "month")),
        ("in November", ("in November", dt.date(2016, 11, 1), "month")),
        ("on 12 September", ("on 12 September", dt.date(2017, 9, 12), "day")),
        ("three days ago", ("three days ago", dt.date(2017, 9, 23), "day")),
        ("last year", ("last year", dt.date(2016, 1, 1), "year")),
    ],
)
def test_a_loose_date_resolves_against_the_publication_date(sentence, expected):
    assert _dates(sentence) == [expected]


# --- hops -------------------------------------------------------------------------------------


def _chain(claim):
    return [(hop.actor.key, hop.verb) for hop in claim.chain]


def test_a_relay_citing_a_spokesman_is_a_hop_between_speaker_and_publisher(catalogue):
    text = "Reuters cited a White Helmets spokesman as saying 152 bodies were recovered."
    claim = claims_of(text, catalogue)[0]
    assert claim.speaker.slug == "white-helmets"
    assert _chain(claim) == [("white-helmets", "said"), ("reuters", "reported"), ("rt", "cited")]


def test_told_an_agency_is_a_hop_and_told_reporters_is_not(catalogue):
    told_afp = claims_of("The White Helmets told AFP that 12 people died.", catalogue)[0]
    told_reporters = claims_of("The White Helmets told reporters that 12 died.", catalogue)[0]
    assert [k for k, _ in _chain(told_afp)] == ["white-helmets", "afp", "rt"]
    assert _chain(told_reporters) == [("white-helmets", "said"), ("rt", "reported")]


def test_according_to_an_agency_is_a_hop(catalogue):
    text = "The Russian Defence Ministry said 17 positions were hit, according to TASS."
    claim = claims_of(text, catalogue, publisher="bbc")[0]
    assert [k for k, _ in _chain(claim)] == ["russian-defence-ministry", "tass", "bbc"]


def test_the_publisher_in_its_own_voice_is_one_hop(catalogue):
    claim = claims_of("The White Helmets are a controversial group.", catalogue)[0]
    assert (claim.speaker.slug, _chain(claim)) == ("rt", [("rt", "published")])


# --- responses and targets --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("The ministry denied the claim.", "denies"),
        ("The ministry rejected the report.", "denies"),
        ("The ministry disputed the figure.", "disputes"),
        ("He called the White Helmets crooks.", "attacks_credibility"),
        ("He criticised Reuters for lending them credibility.", "attacks_credibility"),
        ("The group confirmed the toll.", "confirms"),
        ("The group corrected its figure.", "corrects"),
        ("The group retracted its statement.", "retracts"),
    ],
)
def test_a_cue_verb_names_the_kind_of_answer(sentence, kind):
    assert response_cue(sentence)[0] == kind


def test_a_denial_answers_the_allegation_before_it(catalogue):
    text = (
        "The White Helmets said 152 civilians were killed by Russian bombing. "
        "The Russian Defence Ministry denied the claim."
    )
    allegation, denial = claims_of(text, catalogue)
    assert [(a.kind, a.to_proposal) for a in denial.answers] == [("denies", 0)]
    assert [a.slug for a in allegation.accused] == ["russia"]


def test_bombing_by_named_states_accuses_them(catalogue):
    text = "The White Helmets said civilians were killed by Russian and Syrian government bombing."
    claim = claims_of(text, catalogue)[0]
    assert [a.slug for a in claim.accused] == ["russia", "syrian-government"]


def test_a_characterisation_is_about_the_actors_it_names(catalogue):
    text = "Konashenkov called the White Helmets “crooks” and criticised Reuters for it, TASS said."
    claim = claims_of(text, catalogue)[0]
    assert {s.slug for s in claim.subjects} == {"white-helmets", "reuters"}


def test_a_date_beside_the_cue_is_when_the_claim_was_made(catalogue):
    claim = claims_of(
        "The White Helmets said on Saturday that 12 people died last week.", catalogue
    )[0]
    assert (claim.made_on, claim.made_precision, claim.made_as_stated) == (
        dt.date(2017, 9, 23),
        "day",
        "on Saturday",
    )
    assert [d.as_stated for d in claim.dates] == ["on Saturday", "last week"]
