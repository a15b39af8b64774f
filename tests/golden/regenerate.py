"""Recompute every golden case and write `tests/golden/digests.json`: python -m tests.golden.regenerate.

Run it only when a change is meant to change results, and say in the commit which rule changed;
the diff of digests.json then names every case it reached, that of profiles.json the columns and
generations. `--check` compares instead of writing, and explains each changed case.
"""

from __future__ import annotations

import json
import sys

from tests.golden.cases import CASES, DIGESTS, PROFILES, explain, recorded, recorded_profiles, run_profiled


def main(argv: list[str]) -> int:
    runs = {name: run_profiled(case) for name, case in CASES.items()}
    digests = {name: digest for name, (digest, _) in runs.items()}
    profiles = {name: profile for name, (_, profile) in runs.items()}
    if "--check" in argv:
        old, old_profiles = recorded(), recorded_profiles()
        changed = sorted(n for n in set(old) | set(digests) if old.get(n) != digests.get(n))
        print("changed: " + (", ".join(changed) if changed else "none"))
        for name in changed:
            if name in profiles:
                print(f"  {name}: {explain(old_profiles.get(name), profiles[name])}")
        return 1 if changed else 0
    DIGESTS.write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n")
    PROFILES.write_text("{\n" + ",\n".join(  # a case a line: its diff names the case
        f"{json.dumps(name)}: {json.dumps(profiles[name], sort_keys=True, separators=(',', ':'))}"
        for name in sorted(profiles)) + "\n}\n")
    print(f"wrote {len(digests)} digests to {DIGESTS} and their profiles to {PROFILES}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
