"""Names in bylines, wire tails and photo-credit lines (helpers of the clean stage)."""

from __future__ import annotations

import re

from generator.ingest import rules

_PARTICLES = r"(?:de|da|del|della|der|den|van|von|la|le|bin|ibn|al|el|y|di|du|dos|das|st\.?)"
_NAME = re.compile(
    rf"^(?:[A-ZÀ-ÖØ-ÞŁŚŻ][\w'’.-]*|{_PARTICLES})(?:\s+(?:[A-ZÀ-ÖØ-ÞŁŚŻ][\w'’.-]*|{_PARTICLES})){{0,4}}$"
)
_ROLE_TAIL = re.compile(
    r"\s*(?:[,|–—-]\s*(?:staff (?:writer|reporter)s?|(?:senior |chief |special )?correspondents?|reporters?|"
    r"editors?|contributors?|for .{2,60}|the associated press|associated press|reuters|afp|bloomberg|"
    r"[A-Z][\w ]{2,40} (?:Times|Post|News|Courier|Herald|Journal|Tribune|Gazette|Wire))\.?)+$",
    re.I,
)
_PLACE_TAIL = re.compile(r"\s+(?:in|from)\s+[A-Z][\w.'’ -]{1,40}$")
_NOT_NAMES = frozenset(
    {"staff", "wire", "wire reports", "staff reports", "the editors", "editorial board"}
)


def looks_like_name(text: str) -> bool:
    """A person's (or agency's) name: 1-5 capitalised words, no sentence punctuation."""
    text = text.strip()
    return (
        bool(_NAME.match(text))
        and text.lower() not in _NOT_NAMES
        and any(c.islower() for c in text)
    )


def _split_names(text: str) -> list[str]:
    parts = re.split(r"\s*(?:,|;|\band\b|&|\|)\s*", text)
    return [p.strip(" .") for p in parts if p.strip(" .")]


def parse_byline(text: str) -> tuple[str, ...] | None:
    """Names in 'X and Y' / 'X, Y and Z' after 'By'; None if it is not a byline at all.

    A short byline without names ('Staff and wire reports') returns an empty tuple.
    """
    text = _ROLE_TAIL.sub("", text.strip())
    text = re.split(r"\s+[|•·]\s+", text)[0]
    if len(text.split()) > 16 or re.search(r"[.!?]\s+[a-z]", text):
        return None
    parts = _split_names(text)
    names = [p for p in parts if looks_like_name(p)]
    if not names and any(
        p.lower() in _NOT_NAMES or p.lower().startswith(("staff", "wire")) for p in parts
    ):
        return ()
    if len(names) != len(parts):
        return None if not names or len(names) < len(parts) / 2 else tuple(names)
    return tuple(names)


def parse_credit_line(text: str) -> tuple[str, ...] | None:
    """Contributor names in a wire tail or credit line; None when the line is not one."""
    for pattern in rules.CREDIT_LINES:
        match = pattern.match(text.strip())
        if not match:
            continue
        parts = rules.CREDIT_SPLIT.split(match.group("names"))
        names = []
        for part in parts:
            part = _PLACE_TAIL.sub("", part.strip(" .;:()"))
            if part and looks_like_name(part):
                names.append(part)
        if names:
            return tuple(dict.fromkeys(names))
    return None


def parse_photo_credit(text: str) -> str | None:
    """The credit in a standalone photo-credit line ('JANE DOE / AFP', 'Photo: X/Getty'), else None."""
    text = text.strip()
    if len(text) > 120 or len(text.split()) > 12:
        return None
    patterns = (rules.CREDIT_RULES[0], *rules.CREDIT_RULES_I, rules.CREDIT_RULES[3])
    for pattern in patterns:
        match = pattern.match(text)
        if match:
            credit = match.group("credit").strip(" .()")
            if pattern is rules.CREDIT_RULES[0] and not _names_a_photographer(credit):
                continue
            return credit or None
    return None


def _names_a_photographer(credit: str) -> bool:
    """'JANE DOE / AFP' names a person and an agency; 'AVA/DIXONS LITIGATION DROPPED' is a
    headline about two companies: one word before the slash and a sentence after it."""
    name, _, agency = credit.partition("/")
    return len(name.split()) >= 2 or len(agency.split()) <= 2
