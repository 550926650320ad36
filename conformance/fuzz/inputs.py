"""Generated write buffers, good and bad, for the knobs (hypothesis strategies).

Every family a kernel reviewer would try on a sysfs store: numbers in and out of
range with signs, leading zeros and newlines; huge numbers past 32 and 64 bits;
spaces, tabs and carriage returns; NUL bytes; non-ASCII digits and text; several
newlines; random bytes; level names in every case and decoration; and buffers
up to and past one page (4096 bytes), built from a short pattern repeated so
that hypothesis needs little entropy to make them.
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

from conformance.oracle.grammar import U32_MAX

PAGE_SIZE = 4096
U64_MAX = 2**64 - 1
LEVEL_WORDS = (
    "background", "standard", "urgent", "low", "normal", "high", "idle", "realtime", "none", "max",
)
_UNICODE_DIGITS = "٠١٢٣٤٥٦٧٨٩०१२३४५६७८९０１２３４５６７８９"  # Arabic-Indic, Devanagari, fullwidth
_JUNK = [b" ", b"\t", b"\r", b"\n", b"\0", b"-", b"+", b"x", b"\xff", b".", b"[", b"]", b"%"]


def _number_text(value: int, plus: bool, zeros: int, newline: str) -> bytes:
    return (("+" if plus else "") + "0" * zeros + str(value) + newline).encode()


def numbers(low: int, high: int) -> st.SearchStrategy[bytes]:
    """Numbers in the grammar: in range, at the edges, past 32 and 64 bits."""
    edges = [0, low - 1, low, high, high + 1, U32_MAX, U32_MAX + 1, U64_MAX, U64_MAX + 1]
    value = st.one_of(
        st.integers(low, high),
        st.sampled_from([v for v in edges if v >= 0]),
        st.integers(0, 10**12),
        st.integers(0, 10**45),
    )
    return st.builds(
        _number_text,
        value,
        st.booleans(),
        st.integers(0, 4),
        st.sampled_from(["", "\n"]),
    )


def _decorate(core: bytes, before: bytes, after: bytes, where: int, insert: bytes) -> bytes:
    cut = where % (len(core) + 1)
    return before + core[:cut] + insert + core[cut:] + after


def decorated(core: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    """A good core with junk before, after or inside: signs, spaces, NUL, newlines."""
    junk = st.lists(st.sampled_from(_JUNK), max_size=3).map(b"".join)
    return st.builds(_decorate, core, junk, junk, st.integers(0, 64), junk)


def several_newlines(core: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    r"""A core followed by two or more line ends (``\n\n``, ``\r\n``, ...)."""
    ends = st.lists(st.sampled_from([b"\n", b"\r\n", b"\n\r"]), min_size=2, max_size=4)
    return st.builds(lambda c, e: c.rstrip(b"\n") + b"".join(e), core, ends)


def non_ascii() -> st.SearchStrategy[bytes]:
    """Unicode digits (the look of a number, not its bytes) and arbitrary text."""
    digits = st.text(alphabet=_UNICODE_DIGITS, min_size=1, max_size=4)
    return st.one_of(
        digits.map(lambda t: t.encode()),
        digits.map(lambda t: (t + "\n").encode()),
        st.text(min_size=1, max_size=12).map(lambda t: t.encode("utf-8", "surrogatepass")),
    )


def _page_buffer(pattern: bytes, length: int, tail: bytes, prefix: bool) -> bytes:
    """``length`` bytes of ``pattern`` repeated, with ``tail`` at the end (or the start)."""
    body_length = max(length - len(tail), 0)
    body = (pattern * (body_length // max(len(pattern), 1) + 1))[:body_length]
    return tail + body if prefix else body + tail


def page_buffers(core: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    """Buffers around and past one page: a core behind or before zeros, spaces, NULs."""
    lengths = st.one_of(
        st.integers(PAGE_SIZE - 8, PAGE_SIZE + 8),
        st.integers(PAGE_SIZE - 8, 3 * PAGE_SIZE),
        st.sampled_from([PAGE_SIZE - 1, PAGE_SIZE, PAGE_SIZE + 1, 2 * PAGE_SIZE]),
    )
    pattern = st.sampled_from([b"0", b" ", b"\0", b"\n", b"9", b"a", b"+0"])
    return st.builds(_page_buffer, pattern, lengths, core, st.booleans())


def levels(supported: Sequence[str]) -> st.SearchStrategy[bytes]:
    """Level names: supported and unknown, in other cases, bracketed, spaced, numbered."""
    word = st.sampled_from(sorted(set(supported) | set(LEVEL_WORDS)))
    cased = st.builds(
        lambda w, how: {0: w, 1: w.upper(), 2: w.capitalize(), 3: w[:-1]}[how],
        word,
        st.integers(0, 3),
    )
    shown = " ".join(supported)
    whole = st.sampled_from([shown, shown.replace(supported[0], f"[{supported[0]}]")])
    return st.one_of(
        st.builds(lambda w, nl: (w + nl).encode(), word, st.sampled_from(["", "\n"])),
        cased.map(str.encode),
        word.map(lambda w: f"[{w}]".encode()),
        whole.map(str.encode),
        st.builds(lambda a, b: f"{a} {b}".encode(), word, word),
    )


def random_bytes() -> st.SearchStrategy[bytes]:
    """Arbitrary short buffers, the empty one included."""
    return st.binary(max_size=48)


def accepted(
    knob: str, low: int, high: int, supported: Sequence[str]
) -> st.SearchStrategy[bytes]:
    """Inputs a conforming knob accepts: in range, or a supported level."""
    newline = st.sampled_from(["", "\n"])
    if knob == "priority":
        level = st.sampled_from(list(supported))
        return st.builds(lambda w, nl: (w + nl).encode(), level, newline)
    value = st.integers(low, high)
    return st.builds(_number_text, value, st.booleans(), st.integers(0, 3), newline)


def writes(
    knob: str, value_range: tuple[int, int] | None, supported: Sequence[str]
) -> st.SearchStrategy[bytes]:
    """Every family of input for one knob; its own grammar weighs most."""
    low, high = value_range or (1, 100)
    good_numbers = numbers(low, high)
    good_levels = levels(supported)
    own = good_levels if knob == "priority" else good_numbers
    other = good_numbers if knob == "priority" else good_levels
    return st.one_of(
        accepted(knob, low, high, supported),
        own,
        decorated(own),
        several_newlines(own),
        page_buffers(own),
        non_ascii(),
        random_bytes(),
        other,
    )
