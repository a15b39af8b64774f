"""The SolaraViz page (viz/app.py, as `solara run` serves it) in headless Chromium, used as a person would.

Debian's Chromium is driven by Playwright (`playwright install` cannot download a browser here);
where none is installed the tests skip. `.ci/run` installs it, so CI runs them.
"""

from __future__ import annotations

import io
import re
import shutil
import time
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import expect

CHROMIUM = shutil.which("chromium")
ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "viz" / "app.py"
#: The picture of the docs (docs/guides/browser.md). A test run never writes it; to renew it, set
#: MIRRORLEAP_SCREENSHOT to its path: MIRRORLEAP_SCREENSHOT=docs/viz.png pytest tests/test_browser.py
SCREENSHOT_ENV = "MIRRORLEAP_SCREENSHOT"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (apt-get install chromium)"),
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # below about 1280 px SolaraViz hides its sidebar in a drawer
    return {**browser_context_args, "viewport": {"width": 1600, "height": 1000}}


@pytest.fixture()
def page(solara_server, solara_app, page_session):
    """The app file opened in the browser, its first generation shown."""
    with solara_app(str(APP)):
        page_session.goto(solara_server.base_url)
        page_session.get_by_text("Time: 0.0", exact=True).wait_for()
        yield page_session
        page_session.goto("about:blank")


def status(page) -> str:
    return page.get_by_text(re.compile(r"^scenario \w+ · seed")).inner_text()


def click(page, name: str) -> None:
    page.get_by_role("button", name=name).click()


def images(page) -> list[str]:
    """The main area's PNGs (their data URLs): the plots and the camps."""
    return page.eval_on_selector_all(".v-window-item img", "els => els.map(e => e.src)")


def wait_until_all_redrawn(page, before: list[str]) -> None:
    page.wait_for_function("old => [...document.querySelectorAll('.v-window-item img')]"
                           ".every((e, i) => e.src !== old[i])", arg=before)


def slider(page, label: str):
    return page.get_by_role("slider", name=label)


def test_page_shows_and_step_advances_generation_and_plots(page):
    assert "scenario default · seed 0 · generation 0 of 300 · 200 people" in status(page)
    assert page.get_by_text("colour camps by").is_visible()
    assert len(images(page)) == 2  # plots and camps
    for generation in (1, 2):
        before = images(page)
        click(page, "Step")
        page.get_by_text(f"Time: {generation}.0", exact=True).wait_for()
        page.get_by_text(re.compile(f"generation {generation} of 300")).wait_for()
        wait_until_all_redrawn(page, before)


def generation_shown(page) -> int:
    return int(re.search(r"generation (\d+) of", status(page)).group(1))


def test_play_runs_generations_until_paused(page):
    click(page, "▶")
    page.get_by_text(re.compile(r"generation ([3-9]|\d\d+) of 300")).wait_for()
    click(page, "❚❚")
    expect(page.get_by_role("button", name="Step")).to_be_enabled()  # disabled while playing
    # a generation under way when paused still lands (up to a second on a loaded machine):
    # paused means the count stops changing
    shown, deadline = generation_shown(page), time.monotonic() + 15
    while True:
        page.wait_for_timeout(1000)
        now = generation_shown(page)
        if now == shown:
            break
        assert time.monotonic() < deadline, "the run kept going after pause"
        shown = now
    assert shown >= 3
    click(page, "Step")
    page.get_by_text(re.compile(f"generation {shown + 1} of 300")).wait_for()


def test_slider_then_reset_rebuilds_with_that_value(page):
    click(page, "Step")
    page.get_by_text("Time: 1.0", exact=True).wait_for()
    population = slider(page, "population")
    population.focus()
    for _ in range(3):  # keyboard steps of 10: 200 -> 230
        page.keyboard.press("ArrowRight")
    assert population.get_attribute("aria-valuenow") == "230"
    click(page, "Reset")
    page.get_by_text("Time: 0.0", exact=True).wait_for()
    page.get_by_text(re.compile("generation 0 of 300 · 230 people")).wait_for()
    assert "population 230" in status(page)


def test_bad_value_is_refused_with_a_message_and_the_page_keeps_working(page):
    seed = page.get_by_label("seed")
    seed.fill("abc")
    seed.press("Enter")
    click(page, "Reset")
    message = page.get_by_text(re.compile(r"refused: bad seed 'abc'; valid: an integer"))
    message.wait_for()
    click(page, "Step")  # the page still runs: the scenario's own values
    page.get_by_text("Time: 1.0", exact=True).wait_for()
    seed.fill("7")
    seed.press("Enter")
    click(page, "Reset")
    page.get_by_text(re.compile("scenario default · seed 7 · generation 0")).wait_for()
    assert message.count() == 0


def test_scenario_picker_loads_the_scenario_with_its_own_values(page):
    picker = page.locator(".v-select", has=page.get_by_text("scenario", exact=True))
    picker.locator(".v-select__slot").click()
    page.get_by_role("option", name="fixed_high").click()
    page.get_by_text(re.compile(r"^scenario fixed_high · seed 0 · generation 0 of 3000")).wait_for()
    text = status(page)
    assert "mirror_initial 0.8" in text and "mutation_rate 0" in text
    assert slider(page, "mirror_initial").get_attribute("aria-valuenow") == "0.8"  # sliders follow


def test_screenshot_of_a_run_in_progress(page, tmp_path):
    """Render interval 91: three Steps run 273 of the 300 generations, drawn in full.

    The picture is written to the test's own folder, and to ``$MIRRORLEAP_SCREENSHOT`` only when
    that is set (how docs/viz.png is renewed): a test run leaves the tracked files as they were.
    """
    import os

    from PIL import Image

    render = slider(page, "Render Interval (steps)")
    render.focus()
    page.keyboard.press("Home")
    for _ in range(45):  # 1 + 45 steps of 2
        page.keyboard.press("ArrowRight")
    assert render.get_attribute("aria-valuenow") == "91"
    for done in (91, 182, 273):
        before = images(page)
        click(page, "Step")
        page.get_by_text(f"Time: {done}.0", exact=True).wait_for()
        wait_until_all_redrawn(page, before)
        page.get_by_text(re.compile(f"generation {done} of 300")).wait_for()
    image = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    image = image.resize((image.width * 3 // 4, image.height * 3 // 4), Image.LANCZOS)
    image = image.quantize(colors=256)
    image.save(tmp_path / "viz.png", optimize=True)
    pixels = np.asarray(image.convert("RGB"))
    assert np.unique(pixels.reshape(-1, 3), axis=0).shape[0] > 16  # plots and map drawn, not blank
    if os.environ.get(SCREENSHOT_ENV):
        target = Path(os.environ[SCREENSHOT_ENV])
        target.parent.mkdir(parents=True, exist_ok=True)
        image.save(target, optimize=True)
