"""Lint tests: quotes are verbatim, ids stable and unique, output deterministic, and the registry
file says what the findings claim it says."""
import json
import re


from pmipmc.model.wire import codec as wire
from pmipmc.model.wire import lint
from pmipmc.model.wire.options import COA_OPTION_TYPE_PLACEHOLDER

from pmipmc.model.draft import DRAFT_PATH

DRAFT = DRAFT_PATH


def norm(text: str) -> str:
    return " ".join(text.split())


def test_every_quote_is_in_the_draft():
    draft = norm(DRAFT.read_text())
    missing = [f.id for f in lint.lint() if norm(f.quote) not in draft]
    assert not missing, f"quotes not found verbatim in the draft: {missing}"


def test_ids_unique_and_fields_well_formed():
    found = lint.lint()
    ids = [f.id for f in found]
    assert len(ids) == len(set(ids))
    for f in found:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", f.id), f.id
        assert f.severity in ("error", "warning", "info", "unspecified")
        assert f.section.startswith("§") or f.section == "page headers"
        assert f.quote.strip() and f.conflict.strip() and f.cites.strip()
        assert f.conflict.rstrip().endswith(".")
        assert re.search(r"RFC \d+|draft|IANA", f.cites), f.id


def test_output_is_deterministic():
    a, b = lint.lint(), lint.lint()
    assert a == b
    assert lint.findings_markdown(a) == lint.findings_markdown(b)
    assert json.dumps(lint.findings_json(a)) == json.dumps(lint.findings_json(b))
    order = [("error", "warning", "unspecified", "info").index(f.severity) for f in a]
    assert order == sorted(order)


def test_markdown_is_one_row_per_finding():
    found = lint.lint()
    md = lint.findings_markdown(found).splitlines()
    assert md[0] == "| id | severity | section | quote | conflict | cites |"
    assert len(md) == 2 + len(found)
    for line, f in zip(md[2:], found):
        cells = re.split(r"(?<!\\)\|", line)[1:-1]
        assert len(cells) == 6 and cells[0].strip() == f.id


def test_json_form():
    data = lint.findings_json(lint.lint())
    assert all(set(d) == {"id", "severity", "section", "quote", "conflict", "cites"}
               for d in data)
    json.dumps(data)


def by_id():
    return {f.id: f for f in lint.lint()}


def test_known_findings_present():
    f = by_id()
    assert f["fig6-caption-says-pbu"].severity == "warning"
    assert "Figure6 Proxy Binding Update" in f["fig6-caption-says-pbu"].quote
    bu = f["q-flag-bu-collides-iana"]
    assert bu.severity == "error" and "0x0100" in bu.conflict and "RFC 5555" in bu.conflict
    assert "before the draft" in bu.conflict and "other flags match" in bu.conflict
    ba = f["q-flag-ba-collides-iana"]
    assert "0x10" in ba.conflict and "RFC 5845" in ba.conflict
    assert f["iana-considerations-empty"].severity == "error"
    assert str(COA_OPTION_TYPE_PLACEHOLDER) in f["coa-option-type-tbd"].conflict
    assert "8n+6, borrowed" in f["coa-option-alignment-unstated"].conflict
    assert "(R) flag" in f["ba-prose-flags-mismatch"].quote


def test_unspecified_decisions_are_reported():
    f = by_id()
    for fid in ("pbu-q-hoa-has-no-option", "pbu-q-options-unspecified",
                "failure-status-unspecified", "query-lifetime-unspecified",
                "query-sequence-unspecified", "query-binding-effect-unspecified",
                "pba-q-options-unspecified", "pba-without-q-unspecified"):
        assert f[fid].severity == "unspecified", fid
    assert str(wire.STATUS_QUERY_FAILED_PLACEHOLDER) in f["failure-status-unspecified"].conflict
    assert "reserved bits MUST be ignored" in f["legacy-lma-treats-pbu-q-as-pbu"].conflict
    assert "skips the unknown option" in f["legacy-mag-skips-coa-option"].conflict


def test_encoded_sizes_come_from_the_codec():
    q = wire.make_pbu_q(1, "2001:db8:2::1", b"mn2@pmip.example", timestamp=1 << 40)
    size = len(wire.encode(q))
    assert f"PBU-Q is {size} octets" in by_id()["encoded-sizes"].conflict


# --- the registry file -------------------------------------------------------------------

def registry():
    return json.loads(lint.REGISTRY_PATH.read_text())


def test_registry_has_both_snapshots_and_provenance():
    reg = registry()
    assert reg["source"] and re.fullmatch(r"\d{4}-\d{2}-\d{2}", reg["as_of"])
    assert set(reg["snapshots"]) == {"2012-07", "today"}
    for snap in reg["snapshots"].values():
        for table in ("mh_types", "bu_flags", "ba_flags", "mobility_options", "status_codes"):
            assert snap[table], table
            for e in snap[table]:
                assert re.match(r"RFC \d+", e["rfc"]) and isinstance(e["verified"], bool)


def test_registry_flag_masks_and_history():
    reg = registry()
    for snap in reg["snapshots"].values():
        for table, width in (("bu_flags", 16), ("ba_flags", 8)):
            for e in snap[table]:
                assert e["mask"] == (1 << (width - 1)) >> e["bit"]
    then, now = (reg["snapshots"][k] for k in ("2012-07", "today"))
    for table in ("mh_types", "mobility_options", "status_codes"):
        old = {e["value"]: e["name"] for e in then[table]}
        new = {e["value"]: e["name"] for e in now[table]}
        assert all(new.get(v) == n for v, n in old.items()), f"{table}: 2012 not a subset"
    for table in ("bu_flags", "ba_flags"):
        old = {e["mask"]: e["name"] for e in then[table]}
        assert all(e["name"] == old.get(e["mask"], e["name"]) for e in now[table])
    assert not any(e["rfc_published"] > "2012-07" and e["verified"]
                   for t in then.values() if isinstance(t, list) for e in t)


def test_codec_constants_agree_with_registry():
    now = registry()["snapshots"]["today"]
    bu = {e["name"]: e["mask"] for e in now["bu_flags"]}
    ba = {e["name"]: e["mask"] for e in now["ba_flags"]}
    for name in "AHLKMRP":
        assert bu[name] == getattr(wire, f"BU_FLAG_{name}")
    for name in "KRP":
        assert ba[name] == getattr(wire, f"BA_FLAG_{name}")
    assert bu["F"] == wire.BU_FLAG_Q and ba["T"] == wire.BA_FLAG_Q   # the collisions
    mh = {e["value"]: e["name"] for e in now["mh_types"]}
    assert mh[wire.MH_TYPE_BU] == "Binding Update"
    assert mh[wire.MH_TYPE_BA] == "Binding Acknowledgement"
    opts = {e["value"] for s in registry()["snapshots"].values() for e in s["mobility_options"]}
    assert COA_OPTION_TYPE_PLACEHOLDER not in opts
