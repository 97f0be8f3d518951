"""The trace explorer: its data is re-derived from the model, and a real headless browser steps
through a trace and sees the step, the changed cells, the verdict and the enabled alternatives."""
from __future__ import annotations

import json
import re
import shutil

import pytest

from pmipmc.engine.check import run_explicit
from pmipmc.engine.explorer_html import VIOLATED, explorer_data, write_explorer
from pmipmc.model import narrative
from pmipmc.properties import provider


def build(rec):
    return provider.build(rec.preset, rec.variant, **rec.overrides)


@pytest.fixture(scope="module")
def runs():
    return [run_explicit(provider.build("tiny", v), "tiny", v) for v in ("draft", "repaired")]


@pytest.fixture(scope="module")
def page(runs, tmp_path_factory):
    return write_explorer(runs, tmp_path_factory.mktemp("explorer"), narrative, build)


def embedded(path):
    text = path.read_text()
    m = re.search(r'<script type="application/json" id="data">(.*?)</script>', text, re.S)
    return json.loads(m.group(1).replace("<\\/", "</"))


def test_the_page_is_self_contained_and_deterministic(runs, page, tmp_path):
    text = page.read_text()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text), "the page must not load anything"
    again = write_explorer(runs, tmp_path, narrative, build).read_text()
    assert again == text


def test_each_trace_ends_where_its_property_is_decided_and_each_step_was_enabled(page):
    data = embedded(page)
    order = data["prop_order"]
    assert data["traces"]
    for tid, t in data["traces"].items():
        final = t["holds"][-1][order.index(t["property"])]
        assert final == ("witnessed" if t["kind"] == "reachable" else VIOLATED), tid
        for k, st in enumerate(t["steps"]):
            taken = [e["label"] for e in t["enabled"][k] if e["taken"]]
            assert taken == [f"{st['rule']}({', '.join(st['args'])})"], (tid, k)
        assert len(t["topology"]) == len(t["steps"]) + 1


def test_the_matrix_covers_every_variant_and_property(runs, page):
    data = embedded(page)
    assert data["variants"] == ["draft", "repaired"]
    for run in runs:
        for r in run.results:
            cell = data["matrix"][r.property][run.variant]
            assert cell["shown"] == r.shown and (cell["trace"] is not None) == (r.trace is not None)


def _driver():
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium not installed (pip install '.[test]')")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not (chromium and driver):
        pytest.skip("chromium and chromium-driver are not installed here (.ci/run installs them)")
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    opts = Options()
    opts.binary_location = chromium
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1600,1200"):
        opts.add_argument(a)
    return webdriver.Chrome(service=Service(driver), options=opts)


def test_a_headless_browser_steps_through_a_counterexample(runs, page):
    from selenium.webdriver.common.by import By
    res = next(r for r in runs[0].results if r.trace is not None and r.kind == "invariant")
    steps = res.trace.steps
    d = _driver()
    try:
        d.get(page.as_uri())
        d.find_element(By.CSS_SELECTOR, f'#matrix button[data-trace="draft/{res.property}"]').click()
        assert res.property in d.find_element(By.ID, "trace-title").text
        assert d.find_element(By.ID, "step-label").text.startswith("Initial state")
        for k, st in enumerate(steps, 1):
            taken = d.find_element(By.CSS_SELECTOR, "#enabled li.taken").text
            assert taken.startswith(f"{st.rule}({', '.join(st.args)})")
            d.find_element(By.ID, "next").click()
            assert d.find_element(By.ID, "step-label").text.startswith(f"Step {k} of {len(steps)}: {st.rule}(")
            changed = {e.get_attribute("data-slot") for e in
                       d.find_elements(By.XPATH, "//table[@id='state-table']//tr[td[@class='changed']]")}
            assert changed == {slot for slot, _a, _b in st.delta}
            # the chart highlights this step's events (and, at the end, the verdict and data flow)
            current = {e.get_attribute("data-step") for e in d.find_elements(By.CSS_SELECTOR, "#chart g.ev.current")}
            assert current == ({str(k), ""} if k == len(steps) else {str(k)})
            assert d.find_element(By.CSS_SELECTOR, "#steps li.current").get_attribute("data-k") == str(k)
        verdict = d.find_element(By.CSS_SELECTOR, f'#props li[data-prop="{res.property}"]')
        assert "violated" in verdict.get_attribute("class")
        assert d.find_elements(By.CSS_SELECTOR, "#topology svg .node")
        d.find_element(By.ID, "prev").click()
        assert d.find_element(By.ID, "step-label").text.startswith(f"Step {len(steps) - 1} of")
        assert "violated" not in d.find_element(
            By.CSS_SELECTOR, f'#props li[data-prop="{res.property}"]').get_attribute("class")
    finally:
        d.quit()
