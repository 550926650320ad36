"""BCP 14 keywords of a requirement's text, and whether they agree with its level.

A requirement's level is the strongest keyword its text uses outside literals:
``MUST``/``MUST NOT``/``REQUIRED``/``SHALL``/``SHALL NOT`` are MUST, ``SHOULD``/
``SHOULD NOT``/``RECOMMENDED``/``NOT RECOMMENDED`` are SHOULD, ``MAY``/``OPTIONAL``
are MAY. A weaker keyword may qualify a stronger rule ("MUST fail with ``EINVAL``;
MAY fail with ``ERANGE`` instead"), so only the strongest one counts. Text inside
literals (``...``, literal blocks) is quoted, not normative, and is ignored.
"""

from __future__ import annotations

import re

from docutils import nodes

STRENGTH = {
    "MUST NOT": "MUST", "MUST": "MUST", "REQUIRED": "MUST",
    "SHALL NOT": "MUST", "SHALL": "MUST",
    "SHOULD NOT": "SHOULD", "SHOULD": "SHOULD",
    "NOT RECOMMENDED": "SHOULD", "RECOMMENDED": "SHOULD",
    "MAY": "MAY", "OPTIONAL": "MAY",
}
ORDER = ("MAY", "SHOULD", "MUST")
_KEYWORD = re.compile(r"\b(" + "|".join(sorted(STRENGTH, key=len, reverse=True)) + r")\b")
_QUOTED = (nodes.literal, nodes.literal_block, nodes.raw)


def _quoted(node: nodes.Node) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, _QUOTED):
            return True
        parent = parent.parent
    return False


def normative_text(body: nodes.Node) -> str:
    """The text of ``body`` outside literals, whitespace collapsed."""
    words = [str(t) for t in body.findall(nodes.Text) if not _quoted(t)]
    return " ".join(" ".join(words).split())


def keywords(body: nodes.Node) -> list[str]:
    """The BCP 14 keywords of ``body`` outside literals, in order of appearance."""
    return _KEYWORD.findall(normative_text(body))


def level_problem(reqid: str, level: str, body: nodes.Node) -> str | None:
    """Why the text of a requirement does not match its ``:level:``, or None."""
    found = keywords(body)
    if not found:
        return (
            f"{reqid}: level {level} but its text has no BCP 14 keyword outside literals "
            f"(write {level} in the sentence that states the rule)"
        )
    strongest = max((STRENGTH[k] for k in found), key=ORDER.index)
    if strongest != level:
        return (
            f"{reqid}: level {level} but the strongest keyword of its text is "
            f"{strongest} ({', '.join(dict.fromkeys(found))}); make level and text agree"
        )
    return None
