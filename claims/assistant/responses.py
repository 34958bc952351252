"""Responses: a statement that answers another, and how.

- "denied", "rejected", "dismissed", "do(es) not strike", "neither Russian nor Syrian aircraft
  had carried out strikes", "had not conducted" after an allegation → denies;
- "the real figure was" → disputes (the figure before it);
- "disputed", "contested", "questioned", "challenged", "did not support the figure" → disputes;
- "refuted", "rebutted" → rebuts;
- "called … crooks / liars / propaganda", "criticised … for lending them credibility",
  "accused … of lying / fabricating / staging" → attacks credibility;
- "confirmed" → confirms; "corroborated", "backed up" → corroborates;
- "corrected", "revised", "updated (its) figure/toll" → corrects / updates; "retracted",
  "withdrew" → retracts (answers by the same speaker).
The statement answered is the latest one before it whose speaker the sentence names, else the
latest by another speaker (by the same speaker for corrections); a denier's following
statements on what its strikes hit dispute the claim it denied.
"""

from __future__ import annotations

import re

CUES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(?:called|branded|labell?ed|dubbed)\b[^.]{0,80}\b(?:crooks|liars|propagand\w*|fake\w*|fraud\w*|lie\w*|terrorist\s+accomplices|discredited|unreliable)\b", re.I), "attacks_credibility"),
    (re.compile(r"\b(?:criticis|criticiz)\w*\b[^.]{0,80}\b(?:credib\w*|spread\w*|lending|giving\s+a\s+platform)\b", re.I), "attacks_credibility"),
    (re.compile(r"\baccus\w*\b[^.]{0,60}\bof\s+(?:lying|fabricat\w*|staging|spreading|disinformation)\b", re.I), "attacks_credibility"),
    (re.compile(r"\b(?:den(?:y|ied|ies|ying)|reject\w*|dismiss\w*|deny)\b", re.I), "denies"),
    (re.compile(r"\b(?:refut\w*|rebut\w*)\b", re.I), "rebuts"),
    (re.compile(r"\b(?:disput\w*|contest\w*|question\w*|challeng\w*|contradict\w*|cast\w*\s+doubt)\b|\b(?:does|did|do)\s+not\s+support\b", re.I), "disputes"),
    (re.compile(r"\b(?:retract\w*|withdr[ae]w)\b", re.I), "retracts"),
    (re.compile(r"\b(?:correct(?:ed|s|ing)|revis\w*)\b", re.I), "corrects"),
    (re.compile(r"\bupdat\w*\s+(?:its|their|the)\s+(?:figure|toll|count)\b", re.I), "updates"),
    (re.compile(r"\bconfirm\w*\b", re.I), "confirms"),
    (re.compile(r"\b(?:corroborat\w*|backed\s+up|echoed)\b", re.I), "corroborates"),
    (re.compile(r"\bdo(?:es)?\s+not\s+(?:strike|target|bomb|hit)\b", re.I), "denies"),
    (re.compile(r"\bneither\b[^.]{0,60}\bnor\b[^.]{0,60}\b(?:had|have|has|did)\b|\b(?:had|have|has|did)\s+not\s+(?:carr(?:y|ied)\s+out|conduct\w*|launch\w*|strike|struck|target\w*|bomb\w*|hit|fire\w*|kill\w*)\b|\bnever\s+(?:struck|targeted|bombed|carried\s+out)\b", re.I), "denies"),
    (re.compile(r"\b(?:the\s+)?(?:real|true|actual)\s+(?:figure|toll|number)\b", re.I), "disputes"),
]  # fmt: skip
OWN_SPEAKER = {"retracts", "corrects", "updates"}
# Answers that need not name whom they answer ("denied the claim"); the others must.
DIRECT = {"denies", "disputes", "rebuts", "retracts", "corrects", "updates", "confirms"}


def response_cue(sentence: str) -> tuple[str, tuple[int, int], str] | None:
    """The first kind of answer a sentence makes, with where its cue is and its words."""
    for pattern, kind in CUES:
        match = pattern.search(sentence)
        if match:
            return kind, match.span(), match.group(0)
    return None
