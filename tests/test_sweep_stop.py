"""A sweep stopped by SIGTERM or SIGINT stops its workers, says so in one line and resumes."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import polars as pl
import pytest

ROOT = Path(__file__).resolve().parents[1]
SPEC = 'scenario = "default"\nseeds = 40\ngenerations = 1\nroot_seed = 5\n'


def slow_run(scenario, *, seed, generations, overrides):
    """A run of a quarter second (the workers import it from here)."""
    time.sleep(0.25)
    return pl.DataFrame({"generation": [0, 1], "tool_complexity": [0.0, float(seed % 7)]})


#: `run.py sweep` with `slow_run` as the run function, as a script.
SCRIPT = textwrap.dedent("""
    import sys
    import evo.run.sweep.worker as worker
    from tests.test_sweep_stop import slow_run
    worker.simulate_run = slow_run  # before evo.run.sweep.core binds it as the default
    import run
    sys.exit(run.main(["sweep", sys.argv[1], "--out", sys.argv[2], "--workers", "2"]))
""")


def session_processes(sid: int) -> list[str]:
    """The processes still alive in session `sid` (the sweep's and every descendant's)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text.rsplit(")", 1)[1].split()
        if int(fields[3]) == sid and fields[0] != "Z":  # fields[3]: the session id
            found.append(text.split(")")[0] + ")")
    return found


def sweep(spec: Path, out: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", SCRIPT, str(spec), str(out)], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_workers_in_one_line_and_the_folder_resumes(tmp_path, signum):
    spec = tmp_path / "spec.toml"
    spec.write_text(SPEC)
    out = tmp_path / "out"
    proc = sweep(spec, out)
    deadline = time.monotonic() + 120
    while not list((out / "records").glob("part-*.parquet")):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no run finished in 120 s"
        time.sleep(0.1)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signum  # 143 for SIGTERM, 130 for SIGINT
    lines = [line for line in err.strip().splitlines() if not line.startswith("sweep:")]
    assert len(lines) == 1, err  # besides the progress bar's
    name = signal.Signals(signum).name
    assert lines[0].startswith(f"stopped by {name}: ") and lines[0].endswith(
        f"runs are saved in {out}; run the same command again to continue")
    saved = int(lines[0].split(": ")[1].split(" of ")[0])
    assert 0 < saved < 40
    left = session_processes(proc.pid)
    deadline = time.monotonic() + 10
    while left and time.monotonic() < deadline:  # a moment to exit after their parent
        time.sleep(0.2)
        left = session_processes(proc.pid)
    assert left == [], f"left running: {left}"
    again = sweep(spec, out)
    _, err = again.communicate(timeout=180)
    assert again.returncode == 0, err
    runs = pl.read_parquet(out / "runs.parquet")
    assert runs["run_id"].to_list() == list(range(40)) and (runs["status"] == "ok").all()
