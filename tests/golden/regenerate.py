"""Recompute every golden case and write `tests/golden/digests.json`: python -m tests.golden.regenerate.

Run it only when a change is meant to change results, and say in the commit which rule changed;
the diff of digests.json then names every case it reached. `--check` compares instead of writing.
"""

from __future__ import annotations

import json
import sys

from tests.golden.cases import CASES, DIGESTS, recorded, run_case


def main(argv: list[str]) -> int:
    digests = {name: run_case(case) for name, case in CASES.items()}
    if "--check" in argv:
        old = recorded()
        changed = sorted(n for n in set(old) | set(digests) if old.get(n) != digests.get(n))
        print("changed: " + (", ".join(changed) if changed else "none"))
        return 1 if changed else 0
    DIGESTS.write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(digests)} digests to {DIGESTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
