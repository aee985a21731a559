"""Fair randomized forms (linear-on-the-fly).

Every form has exactly the program's count per section, no item twice, no two items of one enemy group,
only active items in the chosen language. Each section is stratified by difficulty band with the same
count per band on every form, so forms are statistically equivalent: a form's expected score (the sum of
its items' facilities) is kept within the program's `score_tolerance` of the target (the mean over all
forms the pool allows); draws outside it are redrawn from the same seeded stream. Within a cell (section x
band) every item is equally likely, so use evens out over many forms; callers that track use can pass
`usage` to prefer the least-used items first (randomesque). Option order is permuted per form.

The same (program, pool, seed, language[, usage]) always gives the same form: it is stored with the
attempt and can be rebuilt on appeal.
"""

from __future__ import annotations

import random
import sys
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import permutations
from typing import Any, NamedTuple

from question_bank.items import Item, ItemType, Pool, Status
from question_bank.programs import Program

MAX_REDRAWS = 64
_SHUFFLED_TYPES = (ItemType.SINGLE, ItemType.MULTIPLE)


class PoolShortage(ValueError):
    """The pool cannot fill a section in a language."""

    def __init__(self, program: str, section: str, language: str, needed: int, available: int):
        self.section, self.language, self.needed, self.available = section, language, needed, available
        super().__init__(
            f"program {program!r}, section {section!r}, language {language!r}: needs {needed} active items "
            f"that are not enemies of each other, the pool has {available} (short by {needed - available})"
        )


class FormItem(NamedTuple):
    item_id: str
    version: int
    option_order: tuple[str, ...]


class FormSection(NamedTuple):
    code: str
    items: tuple[FormItem, ...]


@dataclass(frozen=True)
class Form:
    program: str
    program_version: int
    seed: int | str
    language: str
    expected_score: float
    sections: tuple[FormSection, ...]

    @property
    def items(self) -> tuple[FormItem, ...]:
        return tuple(item for section in self.sections for item in section.items)

    def to_json(self) -> dict[str, Any]:
        return {
            "program": self.program, "program_version": self.program_version, "seed": self.seed,
            "language": self.language, "expected_score": self.expected_score,
            "sections": [{"code": s.code, "items": [{"item_id": i.item_id, "version": i.version,
                                                      "option_order": list(i.option_order)} for i in s.items]}
                         for s in self.sections],
        }


def form_from_json(data: Mapping[str, Any]) -> Form:
    return Form(
        program=data["program"], program_version=int(data["program_version"]), seed=data["seed"],
        language=data["language"], expected_score=float(data["expected_score"]),
        sections=tuple(FormSection(s["code"], tuple(FormItem(i["item_id"], int(i["version"]),
                                                             tuple(i["option_order"])) for i in s["items"]))
                       for s in data["sections"]),
    )


@dataclass(frozen=True)
class _Cell:
    section: int
    items: tuple[int, ...]   # indices into the assembler's item table
    count: int
    grouped: bool            # whether any item in it belongs to an enemy group


def _allocate(count: int, sizes: list[int]) -> list[int]:
    """Split a section's count over bands in proportion to their sizes (largest remainder, capped by size)."""
    total = sum(sizes)
    quotas = [count * size / total for size in sizes]
    shares = [int(q) for q in quotas]
    order = sorted(range(len(sizes)), key=lambda b: (-(quotas[b] - shares[b]), b))
    for b in order[: count - sum(shares)]:
        shares[b] += 1
    for b in range(len(sizes)):  # a band can never give more than it has
        while shares[b] > sizes[b]:
            shares[b] -= 1
            shares[next(o for o in order if shares[o] < sizes[o])] += 1
    return shares


class _RandomWords:
    """The seeded random stream: 32-bit words drawn in blocks from Python's Mersenne Twister, whose seeding
    and getrandbits are stable across Python versions, so a stored seed rebuilds the same form years later.
    Words are read little-endian on every machine. Choices use word % n: with n far below 2**32 the bias
    is under one in a million."""

    def __init__(self, seed: int | str, block: int):
        self._rng = random.Random(seed)
        self._block = block
        self.words: list[int] = []
        self.pos = 0
        self.reserve(block)

    def reserve(self, count: int) -> None:
        """Make sure `count` more words are available from `pos` on."""
        while self.pos + count > len(self.words):
            chunk = array("I", self._rng.getrandbits(32 * self._block).to_bytes(4 * self._block, "little"))
            if sys.byteorder == "big":
                chunk.byteswap()
            self.words.extend(chunk.tolist())


class Assembler:
    """Prepares a program, pool and language once; then assembles any number of forms quickly."""

    def __init__(self, program: Program, pool: Iterable[Item], language: str):
        if language not in program.languages:
            raise ValueError(f"program {program.code!r} is not given in {language!r}")
        self.program, self.language = program, language
        eligible = [i for i in Pool.of(pool).items if i.status is Status.ACTIVE and language in i.languages]
        self.items: list[Item] = []
        self.cells: list[_Cell] = []
        self.target = 0.0
        for index, section in enumerate(program.sections):
            candidates = [item for item in eligible if section.takes(item)]
            groups = {item.enemy_group for item in candidates if item.enemy_group}
            usable = sum(1 for item in candidates if not item.enemy_group) + len(groups)
            if usable < section.count:
                raise PoolShortage(program.code, section.code, language, section.count, usable)
            for band, share in self._stratify(candidates, section.count):
                if not share:
                    continue
                first = len(self.items)
                self.items.extend(band)
                self.target += share * sum(item.facility for item in band) / len(band)
                self.cells.append(_Cell(index, tuple(range(first, len(self.items))), share,
                                        any(item.enemy_group for item in band)))
        self.tolerance = program.score_tolerance
        self._facility = [item.facility for item in self.items]
        self._group = [item.enemy_group for item in self.items]
        # Every (item, option order) a form can hold, built once: assembling a form creates no objects per item.
        self._variants = [self._form_items(item) for item in self.items]
        self._variant_counts = [len(v) for v in self._variants]
        self._words_per_form = 3 * program.item_count + 4 * len(self.cells)

    def _stratify(self, items: list[Item], count: int) -> list[tuple[list[Item], int]]:
        edges = self.program.difficulty_bands
        bands: list[list[Item]] = [[] for _ in range(len(edges) + 1)]
        for item in items:
            bands[bisect_right(edges, item.facility)].append(item)
        bands = [band for band in bands if band]
        return list(zip(bands, _allocate(count, [len(b) for b in bands]), strict=True))

    def _form_items(self, item: Item) -> tuple[FormItem, ...]:
        keys = tuple(option.key for option in item.options)
        if not self.program.shuffle_options or item.type not in _SHUFFLED_TYPES:
            return (FormItem(item.id, item.version, keys),)  # scales and true/false keep their natural order
        return tuple(FormItem(item.id, item.version, tuple(keys[i] for i in perm))
                     for perm in permutations(range(len(keys))))

    def _draw(self, stream: _RandomWords, usage: Mapping[str, int] | None) -> tuple[list[list[int]], float]:
        """Pick each cell's items by a partial Fisher-Yates shuffle, skipping enemies of items already taken."""
        chosen: list[list[int]] = [[] for _ in self.program.sections]
        used_groups: set[str] = set()
        group, facility = self._group, self._facility
        expected = 0.0
        short: list[tuple[_Cell, int]] = []
        for cell in self.cells:
            candidates = list(cell.items)
            size, picks = len(candidates), chosen[cell.section]
            stream.reserve(size)
            words, pos = stream.words, stream.pos
            if usage is not None:  # least used first; ties in random order
                order = {item: words[pos + n] for n, item in enumerate(candidates)}
                candidates.sort(key=lambda i: (usage.get(self.items[i].id, 0), order[i]))
                pos += size
            if not cell.grouped and usage is None:  # the common case, kept tight
                for i in range(cell.count):
                    j = i + words[pos + i] % (size - i)
                    candidates[i], candidates[j] = candidates[j], candidates[i]
                stream.pos = pos + cell.count
                taken = candidates[: cell.count]
                picks.extend(taken)
                expected += sum(facility[i] for i in taken)
                continue
            taken, i = 0, 0
            while taken < cell.count:
                if i == size:
                    # Enemies emptied the band: the rest comes from the section's other bands, once all are drawn.
                    short.append((cell, cell.count - taken))
                    break
                if usage is None:
                    j = i + words[pos] % (size - i)
                    pos += 1
                    candidates[i], candidates[j] = candidates[j], candidates[i]
                pick = candidates[i]
                i += 1
                if group[pick]:
                    if group[pick] in used_groups:
                        continue
                    used_groups.add(group[pick])
                picks.append(pick)
                expected += facility[pick]
                taken += 1
            stream.pos = pos
        for cell, count in short:
            expected += self._borrow(cell, count, chosen[cell.section], used_groups, stream)
        return chosen, expected

    def _borrow(self, cell: _Cell, count: int, picks: list[int], used_groups: set[str],
                stream: _RandomWords) -> float:
        taken_ids = set(picks)
        spare = [i for other in self.cells if other.section == cell.section for i in other.items
                 if i not in taken_ids and not (self._group[i] and self._group[i] in used_groups)]
        stream.reserve(len(spare))
        words, pos = stream.words, stream.pos
        expected = 0.0
        for n in range(len(spare)):
            j = n + words[pos + n] % (len(spare) - n)
            spare[n], spare[j] = spare[j], spare[n]
            pick = spare[n]
            if self._group[pick]:
                if self._group[pick] in used_groups:
                    continue
                used_groups.add(self._group[pick])
            picks.append(pick)
            expected += self._facility[pick]
            count -= 1
            if not count:
                break
        stream.pos = pos + len(spare)
        if count:
            raise PoolShortage(self.program.code, self.program.sections[cell.section].code, self.language,
                               self.program.sections[cell.section].count,
                               self.program.sections[cell.section].count - count)
        return expected

    def assemble(self, seed: int | str, usage: Mapping[str, int] | None = None) -> Form:
        stream = _RandomWords(seed, self._words_per_form)
        best: tuple[float, list[list[int]], float] | None = None
        for _ in range(MAX_REDRAWS):
            chosen, expected = self._draw(stream, usage)
            distance = abs(expected - self.target)
            if best is None or distance < best[0]:
                best = (distance, chosen, expected)
            if self.tolerance is None or distance <= self.tolerance:
                break
        _, chosen, expected = best
        stream.reserve(2 * self.program.item_count)
        words, pos, variants, sizes = stream.words, stream.pos, self._variants, self._variant_counts
        sections = []
        for section, picks in zip(self.program.sections, chosen, strict=True):
            # Items in random order (sorted by a random word each), each with a random option order.
            count = len(picks)
            order = sorted(zip(words[pos:pos + count], words[pos + count:pos + 2 * count], picks))
            pos += 2 * count
            sections.append(FormSection(section.code, tuple([variants[p][w % sizes[p]] for _, w, p in order])))
        return Form(self.program.code, self.program.version, seed, self.language, expected, tuple(sections))


def assemble(program: Program, pool: Iterable[Item], seed: int | str, language: str,
             usage: Mapping[str, int] | None = None) -> Form:
    """One form; for many forms from one pool, build an Assembler once."""
    return Assembler(program, pool, language).assemble(seed, usage)
