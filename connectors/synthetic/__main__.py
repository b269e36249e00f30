"""Command line: `python -m connectors.synthetic --students N --seed S --out DIR`."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from connectors.synthetic import FaultRates, GeneratorConfig, generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m connectors.synthetic",
        description="Write a synthetic district's legacy exports and their ground truth.",
    )
    parser.add_argument("--students", type=int, required=True, help="students enrolled per year")
    parser.add_argument(
        "--seed", type=int, required=True, help="random seed (same seed, same bytes)"
    )
    parser.add_argument(
        "--out", type=Path, required=True, help="output folder (gets landing/ and truth/)"
    )
    parser.add_argument("--years", type=int, default=1, help="school years to generate (default 1)")
    parser.add_argument(
        "--end-year", type=int, default=2026, help="ending year of the last school year"
    )
    parser.add_argument("--clean", action="store_true", help="inject no faults")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    try:
        config = GeneratorConfig(
            n_students=args.students,
            seed=args.seed,
            out_dir=args.out,
            years=args.years,
            end_year=args.end_year,
            rates=FaultRates.clean() if args.clean else FaultRates(),
        )
    except ValueError as error:
        parser.error(str(error))
    summary = generate(config)
    c = summary.counts
    print(
        f"{c['sis']['students']} students, {c['sis']['schools']} schools, "
        f"{len(summary.rows)} files, {sum(summary.rows.values())} rows "
        f"in {summary.seconds:.1f} s -> {summary.out_dir}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
