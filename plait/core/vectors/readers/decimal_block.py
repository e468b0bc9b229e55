"""Vectorised parsing of a block of `word v1 ... vN` lines whose values are plain decimals such as `-0.123456`.

A C float parser called once per value is the bottleneck of reading text vectors. Here every step is a
whole-array numpy operation over the values of a block: each value is found by its dot, the eight bytes on
either side of the dot are read as one little-endian integer, the digits in them are located and combined
with a few multiply-and-shift steps (the SWAR method) into an exact integer mantissa, and one division by a
power of ten rounds it to the nearest float64 exactly as strtod does; the cast to float32 then matches a
strtod-then-cast parser bit for bit. A block holding anything else (exponents, nan, integers without a dot,
tabs, CRLF, blank lines, wrong widths, more than 15 digits) gives None, and the caller uses the general line
parser, which also names the bad line.
"""
from __future__ import annotations

import numpy as np

U64 = np.uint64
# SHIFT[n] moves the low n bytes of a little-endian word to its top (fraction digits, with `<<`), or, as
# `>> SHIFT[n] << SHIFT[n]`, keeps only its top n bytes (integer digits before the dot); absent digits read as 0
SHIFT = np.array([64 - 8 * n for n in range(9)], dtype=np.uint64)
POWERS = 10.0 ** np.arange(16)
INT_POWERS = 10 ** np.arange(16, dtype=np.uint64)
PAD = 24  # bytes of spaces around the numbers, so every 8-byte read near a value stays inside the array
MAX_DIGITS = 15  # mantissas below 10**15 < 2**53 are exact in float64
SPACE, MINUS, DOT = 32, 45, 46


def _eight_digits(words: np.ndarray) -> np.ndarray:
    """The 8-digit numbers whose digits (most significant in the lowest byte) are the low nibbles of `words`."""
    x = words & U64(0x0F0F0F0F0F0F0F0F)
    x = ((x * U64(10)) + (x >> U64(8))) & U64(0x00FF00FF00FF00FF)
    x = ((x * U64(100)) + (x >> U64(16))) & U64(0x0000FFFF0000FFFF)
    return ((x * U64(10000)) + (x >> U64(32))) & U64(0xFFFFFFFF)


def _non_digits(words: np.ndarray) -> np.ndarray:
    """0x80 in each byte of `words` that is not an ASCII digit, 0 in the others."""
    t = words ^ U64(0x3030303030303030)
    return (((t & U64(0x7F7F7F7F7F7F7F7F)) + U64(0x7676767676767676)) | t) & U64(0x8080808080808080)


def _top_bit(flags: np.ndarray) -> np.ndarray:
    """The index of the highest set bit of each uint64 (from the float64 exponent); negative for 0."""
    return (flags.astype(np.float64).view(np.int64) >> 52) - 1023


def _words_around(aligned: np.ndarray, dots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The 8 bytes before each dot and the 8 after it, as little-endian uint64, from `aligned` (the bytes as uint64).

    Three aligned gathers and shifts: numpy copies unaligned 8-byte items one by one, several times slower.
    """
    start = dots - 8
    index = start >> 3
    shift = (start & 7).view(np.uint64) << U64(3)
    low, middle, high = aligned.take(index), aligned.take(index + 1), aligned.take(index + 2)
    before = (low >> shift) | (middle << (U64(64) - shift))
    return before, (middle >> (shift + U64(8))) | (high << (U64(56) - shift))


def _words_at(aligned: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """The 8 bytes starting at each byte position, read from `aligned` (the bytes as little-endian uint64)."""
    index = positions >> 3
    shift = (positions & 7).view(np.uint64) << U64(3)
    return (aligned.take(index) >> shift) | (aligned.take(index + 1) << (U64(64) - shift))


def _lines(block: bytes) -> tuple[list[int], list[int], list[int]] | None:
    """Start, word end and newline offsets of each line; None for a blank line or one without numbers."""
    starts, word_ends, ends = [], [], []
    pos, size = 0, len(block)
    while pos < size:
        end = block.index(b"\n", pos)
        space = block.find(b" ", pos, end)
        if space <= pos:
            return None
        starts.append(pos)
        word_ends.append(space)
        ends.append(end)
        pos = end + 1
    return starts, word_ends, ends


def parse_block(block: bytes, dims: int) -> tuple[list[str], np.ndarray] | None:
    """Parse complete `word v1 ... v<dims>` lines (each ending in a newline) of plain decimals, or None."""
    if not block or block[-1] != 10 or (found := _lines(block)) is None:
        return None
    starts, word_ends, ends = found
    try:
        words = b"\n".join(block[s:e] for s, e in zip(starts, word_ends)).decode("utf8").split("\n")
    except UnicodeDecodeError:
        return None
    n_rows = len(starts)
    # the numbers alone, padded with spaces: words and newlines become spaces
    nums = np.empty(-(-(len(block) + 2 * PAD) // 8) * 8, dtype=np.uint8)
    nums[:PAD] = nums[PAD + len(block):] = SPACE
    body = nums[PAD:PAD + len(block)]
    aligned = nums.view("<u8")
    body[:] = np.frombuffer(block, dtype=np.uint8)
    starts_a, word_ends_a, ends_a = (np.array(x, dtype=np.int64) for x in (starts, word_ends, ends))
    lengths = word_ends_a - starts_a
    body[np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths - starts_a, lengths)] = SPACE
    body[ends_a] = SPACE
    if np.count_nonzero(body >= SPACE) != len(body):  # tabs, carriage returns, other control bytes
        return None
    dots = np.flatnonzero(body == DOT)
    if len(dots) != n_rows * dims:
        return None
    by_row = dots.reshape(n_rows, dims)
    if (by_row[:, 0] <= word_ends_a).any() or (by_row[:, -1] >= ends_a).any():
        return None
    at = dots + PAD
    before, after = _words_around(aligned, at)
    # digits after the dot: up to 8 in the first word, up to 15 in all
    flags = _non_digits(after)
    fraction_len = _top_bit(flags & (U64(0) - flags)) >> 3
    second = None  # the 8 bytes after those, read only when some fraction is longer
    if (long := fraction_len < 0).any():
        second = _words_at(aligned, at + 9)
        flags = _non_digits(second)
        more = _top_bit(flags & (U64(0) - flags)) >> 3
        if (long & (more < 0)).any():
            return None
        fraction_len = np.where(long, 8 + more, fraction_len)
    # digits before the dot: at most 7, then a space or a minus sign
    sign_bit = _top_bit(_non_digits(before))  # the top bit of the byte before the integer digits
    if sign_bit.min() < 7:
        return None
    integer_len = 7 - (sign_bit >> 3)
    negative = (before >> (sign_bit - 7).view(np.uint64)) & U64(0xFF) == MINUS
    digits = integer_len + fraction_len
    if digits.min() < 1 or digits.max() > MAX_DIGITS or int(digits.sum()) + len(dots) + int(negative.sum()) \
            != np.count_nonzero(body > SPACE):
        return None  # a byte outside any `-ddd.ddd` value
    if (nums[at + fraction_len + 1] != SPACE).any():
        return None  # a value runs into the next (with the count above: every solid run is exactly one value)
    uniform = int(fraction_len.min()) == int(fraction_len.max())
    if uniform and fraction_len[0] <= 8:
        fraction = _eight_digits(after << SHIFT[fraction_len[0]])
    else:
        head = np.minimum(fraction_len, 8)
        fraction = _eight_digits(after << SHIFT[head])
        if second is not None:
            tail = fraction_len - head
            fraction = fraction * INT_POWERS[tail] + _eight_digits(second << SHIFT[tail])
    if integer_len.max() <= 1:
        integer = (before >> U64(56)) & U64(0x0F)
        if integer_len.min() == 0:
            integer[integer_len == 0] = 0
    else:
        shift = SHIFT[integer_len]
        integer = _eight_digits((before >> shift) << shift)
    if uniform:
        values = (integer * INT_POWERS[fraction_len[0]] + fraction).astype(np.float64) / POWERS[fraction_len[0]]
    else:
        values = (integer * INT_POWERS[fraction_len] + fraction).astype(np.float64) / POWERS[fraction_len]
    values = values.astype(np.float32)
    values.view(np.uint32)[:] |= negative.astype(np.uint32) << np.uint32(31)
    return words, values.reshape(n_rows, dims)
