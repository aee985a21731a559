"""Form assembly: corps-b forms from a synthetic pool of 2,000 items, for a cohort of 30,515 candidates.

Floor: a plain random.sample per section on the same pool (no bands, enemies, tolerance or option order),
measured in the same run. Run: `python -m bench.assembly [--cohort N] [--pool N]`.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import Counter
from datetime import date

from question_bank.assembly import Assembler
from question_bank.programs import bundled_programs, in_force
from question_bank.synthetic import synthetic_pool


def floor_forms(program, pool, seeds) -> None:
    sections = [[item for item in pool if section.takes(item)] for section in program.sections]
    counts = [section.count for section in program.sections]
    for seed in seeds:
        rng = random.Random(seed)
        [rng.sample(items, count) for items, count in zip(sections, counts)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cohort", type=int, default=30_515)
    parser.add_argument("--pool", type=int, default=2_000)
    args = parser.parse_args([])  if __name__ != "__main__" else parser.parse_args()
    program = in_force(bundled_programs(), "corps-b", date.today())
    pool = synthetic_pool(program, args.pool, seed=2017)
    seeds = range(args.cohort)

    started = time.perf_counter()
    assembler = Assembler(program, pool, "ru")
    prepared = time.perf_counter() - started

    started = time.perf_counter()
    forms = [assembler.assemble(seed) for seed in seeds]
    ours = time.perf_counter() - started

    started = time.perf_counter()
    floor_forms(program, pool, seeds)
    floor = time.perf_counter() - started

    spread = [form.expected_score for form in forms]
    used = Counter(form_item.item_id for form in forms for form_item in form.items)
    ratios = []
    for cell in assembler.cells:
        counts = [used[assembler.items[i].id] for i in cell.items]
        ratios.append(max(counts) / max(1, min(counts)))

    print(f"assembly: corps-b, {len(pool)} synthetic items ({len(assembler.items)} eligible in ru), "
          f"{len(assembler.cells)} cells")
    print(f"  prepare (once per pool):   {prepared * 1000:8.1f} ms")
    print(f"  cohort of {args.cohort}:       {ours:8.2f} s   {args.cohort / ours:9.0f} forms/s   "
          f"{ours / args.cohort * 1e6:6.1f} us/form")
    print(f"  floor (random.sample):     {floor:8.2f} s   {args.cohort / floor:9.0f} forms/s   "
          f"{floor / args.cohort * 1e6:6.1f} us/form")
    print(f"  ratio ours/floor:          {ours / floor:8.2f}x  (aim: under 3x, cohort under 2 s)")
    print(f"  expected score: target {assembler.target:.2f}, forms min {min(spread):.2f} max {max(spread):.2f} "
          f"sd {statistics.pstdev(spread):.3f} (tolerance {program.score_tolerance})")
    print(f"  exposure max/min per cell: worst {max(ratios):.2f}, median {statistics.median(ratios):.2f} "
          f"(enemy pairs share a slot, so paired items are used less)")


if __name__ == "__main__":
    main()
