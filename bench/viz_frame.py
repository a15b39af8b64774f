"""How long the browser view takes per generation of the default scenario.

    python bench/viz_frame.py                              # the server's share of a frame
    python run.py view & python bench/viz_frame.py --url http://localhost:8765   # plus the browser

The server's share is one generation of the model plus both pictures drawn to PNG, as the page
does after a Step. With --url, headless Chromium (Debian's) clicks Step and waits until the
generation count and both images have changed: the time a person waits.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import time

from viz.components import CAMP_MEASURES, CampsCanvas, PlotsCanvas
from viz.model import MirrorView

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


def png(figure) -> None:
    figure.savefig(io.BytesIO(), format="png", dpi=80)


def server_frames(n: int, warm: int = 100) -> list[tuple[float, float, float]]:
    """(step, plots, camps) seconds for `n` generations after `warm` unmeasured ones."""
    model = MirrorView()
    for _ in range(warm):
        model.step()
    plots, camps = PlotsCanvas(model), CampsCanvas(model)
    measure = next(iter(CAMP_MEASURES))
    png(plots.draw(model))
    png(camps.draw(model, measure))
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        model.step()
        t1 = time.perf_counter()
        png(plots.draw(model))
        t2 = time.perf_counter()
        png(camps.draw(model, measure))
        out.append((t1 - t0, t2 - t1, time.perf_counter() - t2))
    return out


def browser_steps(url: str, n: int) -> list[float]:
    """Seconds from a click on Step until the page shows the new generation and both images."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(url)
        page.get_by_text("Time: 0.0", exact=True).wait_for(timeout=60_000)
        out = []
        for generation in range(1, n + 1):
            before = page.eval_on_selector_all(".v-window-item img", "els => els.map(e => e.src)")
            start = time.perf_counter()
            page.get_by_role("button", name="Step").click()
            page.get_by_text(f"Time: {generation}.0", exact=True).wait_for()
            page.wait_for_function(
                "old => [...document.querySelectorAll('.v-window-item img')]"
                ".every((e, i) => e.src !== old[i])", arg=before)
            out.append(time.perf_counter() - start)
        browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=30)
    parser.add_argument("--url", default=None, help="a running page (python run.py view)")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    frames = server_frames(args.frames)
    parts = [statistics.median(f[i] for f in frames) * 1000 for i in range(3)]
    total = statistics.median(sum(f) for f in frames) * 1000
    print(f"server, median of {args.frames} generations: step {parts[0]:.1f} ms, plots {parts[1]:.0f} ms,"
          f" camps {parts[2]:.0f} ms, total {total:.0f} ms")
    if args.url:
        waits = browser_steps(args.url, args.frames)
        print(f"browser, Step to both images redrawn: median {statistics.median(waits):.3f} s, "
              f"min {min(waits):.3f} s, max {max(waits):.3f} s ({args.frames} Steps)")


if __name__ == "__main__":
    main()
