"""The report a spec author reads: every citation exists in the draft, every normative sentence
of §4-§6 and §8 is in the coverage table, and the JUnit file agrees with the JSON."""
import json
import re
import xml.etree.ElementTree as ET

import pytest

from pmipmc.engine import report
from pmipmc.engine.check import run_explicit
from pmipmc.engine.explore import Budget
from pmipmc.engine.junit import write_junit
from pmipmc.model import draft, narrative
from pmipmc.properties import provider

DRAFT = draft.text()
SYSTEM_FOR = lambda preset, variant, overrides: provider.build(preset, variant, **overrides)  # noqa: E731


@pytest.fixture(scope="module")
def runs():
    return [run_explicit(provider.build("tiny", v), "tiny", v) for v in ("draft", "repaired")]


def norm(s):
    return re.sub(r"\s+", " ", s).strip()


def test_every_rule_cites_a_section_and_step_that_exist_in_the_draft():
    problems = report.cite_problems(DRAFT, provider.rules(), narrative.LIST_NAMES)
    assert not problems, "\n".join(problems)


def test_every_property_cites_text_that_exists_in_the_draft():
    problems = report.cite_problems(DRAFT, provider.properties(), narrative.LIST_NAMES)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("cites, why", [("§4.2 step 12", "no step 12"), ("§7.5", "no section 7.5"),
                                         ("§6.2 MAG op 9", "no MAG op 9"), ("§4.1 'tunnels are free'", "quote"),
                                         ("§4.3 steps 5-7", "no step 7"), ("§4.2 step 1; Figure 9", "no such figure")])
def test_a_citation_of_missing_text_is_reported(cites, why):
    assert report.cite_problems(DRAFT, [{"name": "r", "cites": cites}], narrative.LIST_NAMES), why


def test_cites_parse_lists_ranges_and_quotes():
    refs = report.parse_cites("§4.2 steps 2 and 6; §6.2 MAG ops 2-4; draft §1 'act as PIM-SM routers'; RFC 4601 §4.5")
    assert [(r.section, r.list_name, r.numbers) for r in refs] == [
        ("4.2", "step", (2, 6)), ("6.2", "MAG op", (2, 3, 4)), ("1", None, ())]
    assert refs[2].quote == "act as PIM-SM routers"


def normative_sentences():
    """Independently of report.draft_units: uppercase-keyword sentences of §4-§6 and §8."""
    out, keep = [], False
    body = re.split(r"(?m)^(\d+(?:\.\d+)*)\.\s+\S.*$", DRAFT)
    for sec, text in zip(body[1::2], body[2::2]):
        keep = sec.split(".")[0] in ("4", "5", "6", "8")
        if not keep:
            continue
        text = re.sub(r"(?m)^(Liu, et al\..*|Internet-Draft .*)$", "", text)
        for sentence in re.split(r"(?<=\.)\s+", norm(text)):
            if re.search(r"\b(MUST|SHOULD|MAY|SHALL|REQUIRED|RECOMMENDED|OPTIONAL)\b", sentence):
                out.append(sentence)
    return out


def test_every_normative_sentence_and_step_is_in_the_coverage_table(runs, tmp_path):
    path = report.write_report(runs, tmp_path / "reports", narrative, DRAFT, provider.rules(), provider.properties(),
                               provider.variants(), None, pictures=False, timings=False, system_for=SYSTEM_FOR)
    table = norm(path.read_text().split("## Draft coverage")[1])
    sentences = normative_sentences()
    assert len(sentences) >= 8
    for s in sentences:
        key = re.sub(r"^\d+\.", "", s)[:60]
        assert key in table.replace("\\|", "|"), f"normative sentence missing from the coverage table: {s}"
    for sec, n in (("4.2", 9), ("4.3", 6), ("5", 3)):
        for i in range(1, n + 1):
            assert f"| §{sec} step {i} |" in table
    assert "§4.2 step 4 |" in table and "`mag_establishes_tunnel`" in table
    assert "not modelled: SSM-aware router behaviour" in table


@pytest.mark.parametrize("whole", [False, pytest.param(True, marks=pytest.mark.slow)])
def test_report_links_traces_and_is_deterministic(runs, tmp_path, monkeypatch, whole):
    monkeypatch.chdir(tmp_path)   # replay commands are relative to where pmipmc runs
    out = tmp_path / "reports"
    args = (narrative, DRAFT, provider.rules(), provider.properties(), provider.variants(), "lint says hi")
    if not whole:   # every picture is a `dot` run: the inner loop draws two violations and a witness
        pick = [r for r in runs[0].results if r.trace and r.kind != "reachable"][:2]
        pick += [r for r in runs[0].results if r.trace and r.kind == "reachable"][:1]
        assert [r.verdict for r in pick] == ["VIOLATED", "VIOLATED", "FOUND"]
        runs = [run_explicit(provider.build("tiny", "draft"), "tiny", "draft", {r.property for r in pick})]
    first = report.write_report(runs[:1], out, *args, timings=False, system_for=SYSTEM_FOR).read_text()
    files = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    second = report.write_report(runs[:1], out, *args, timings=False, system_for=SYSTEM_FOR).read_text()
    assert first == second
    assert files == {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert str(tmp_path) not in first
    viol = next(r for r in runs[0].results if r.trace and r.kind != "reachable")
    base = f"traces/draft/{viol.property}"
    assert f"]({base}.txt)" in first and f"]({base}.msc.svg)" in first or f"]({base}.msc.txt)" in first
    for ext in (".json", ".txt", ".msc.txt"):
        assert (out / (base + ext)).exists()
    rec = json.loads((out / (base + ".json")).read_text())
    assert rec["property"] == viol.property and len(rec["steps"]) == viol.depth
    assert f"pmipmc replay reports/{base}.json" in (out / (base + ".txt")).read_text()
    assert "WITNESSED" in first and "lint says hi" in first


def test_junit_counts_match_the_json(runs, tmp_path):
    cut = run_explicit(provider.build("tiny", "draft"), "tiny", "draft", budget=Budget(max_states=1024))
    all_runs = runs + [cut]
    baseline = {(r.variant, x.property) for r in runs[:1] for x in r.results if x.verdict == "VIOLATED"}

    def expected(run, res):
        return (res.verdict == "VIOLATED") == ((run.variant, res.property) in baseline)

    path = write_junit(all_runs, tmp_path / "junit.xml", expected)
    root = ET.parse(path).getroot()
    data = [r.to_json() for r in all_runs]
    tests = sum(len(r["results"]) for r in data)
    skipped = sum(x["verdict"] == "UNKNOWN" for r in data for x in r["results"])
    failures = 0
    for r in data:
        for x in r["results"]:
            if x["verdict"] == "UNKNOWN":
                continue
            if x["kind"] == "reachable":
                failures += x["shown"] == "NOT_WITNESSED"
            else:
                failures += (x["verdict"] == "VIOLATED") != ((r["variant"], x["property"]) in baseline)
    assert skipped > 0 and failures > 0
    assert (int(root.get("tests")), int(root.get("failures")), int(root.get("skipped"))) == (tests, failures, skipped)
    assert len(root.findall(".//testcase")) == tests
    assert len(root.findall(".//testcase/failure")) == failures
    assert len(root.findall(".//testcase/skipped")) == skipped
