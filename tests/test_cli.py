"""``ikelog analyze`` through typer's CliRunner, and the terminal report
rendered into a fixed-width, colourless console.

All inputs are the bundled samples (``samples/``), so nothing here needs the
shared corpus.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

import ikelog
from ikelog.cli import app
from ikelog.render import terminal

from .conftest import SAMPLES, corpus

SEED = SAMPLES / "windows-eap-mschapv2.log"
LAB_GW = SAMPLES / "lab-gateway-eap-and-certs.log"
LAB_NO_PROP = SAMPLES / "lab-gateway-proposal-mismatch.log"
LAB_UNREACHABLE = SAMPLES / "lab-client-gateway-unreachable.log"
ALL_SAMPLES = [SEED, LAB_GW, LAB_NO_PROP, LAB_UNREACHABLE]

runner = CliRunner()


def analyze(*args: str | Path, input: bytes | None = None) -> Any:
    result = runner.invoke(app, ["analyze", *map(str, args)], input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception
    )
    return result


def analyze_json(*args: str | Path, input: bytes | None = None) -> dict[str, Any]:
    result = analyze("--json", *args, input=input)
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


# -- the terminal report through the CLI ----------------------------------------


def test_analyze_seed() -> None:
    result = analyze(SEED)
    assert result.exit_code == 0, result.output
    assert "eap[3]" in result.stdout
    assert "7 to establish" in result.stdout
    assert "andi" in result.stdout
    assert "Traceback" not in result.output


def test_analyze_only_one_sa_by_name() -> None:
    result = analyze("--sa", "eap", LAB_GW)
    assert result.exit_code == 0, result.output
    assert "eap[1]" in result.stdout
    assert "win[2]" not in result.stdout


@pytest.mark.parametrize("spec", ["eap[3]", "3", "eap"])
def test_analyze_sa_spec_forms(spec: str) -> None:
    result = analyze("--sa", spec, SEED)
    assert result.exit_code == 0, result.output
    assert "eap[3]" in result.stdout
    assert "7 to establish" in result.stdout


def test_analyze_sa_by_label_leaves_the_others_out() -> None:
    result = analyze("--sa", "win[2]", LAB_GW)
    assert result.exit_code == 0, result.output
    assert "win[2]" in result.stdout
    assert "eap[1]" not in result.stdout


def test_analyze_unknown_sa_is_refused() -> None:
    result = analyze("--sa", "nosuch", SEED)
    assert result.exit_code == 2
    assert "7 to establish" not in result.output


def test_details_zero_gives_one_line_per_sa() -> None:
    result = analyze("--details", "0", SEED)
    assert result.exit_code == 0, result.output
    assert "details are shown for at most 0" in result.stdout
    row = next(line for line in result.stdout.splitlines() if "eap[3]" in line)
    assert "responder" in row
    assert "andi" in row
    assert "established" in row
    assert "12" in row


def test_help_shows_sa_forms() -> None:
    """The --sa help names its three forms, ``name[id]`` included (rich
    markup must not swallow the brackets)."""
    result = runner.invoke(app, ["analyze", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "name[id]" in text


# -- JSON ---------------------------------------------------------------------------

TOP_KEYS = {"lines": dict, "layout": str, "ike_sas": list, "leases": list}
LINE_KEYS = {"total": int, "understood": int, "unrecognized": int}
OPT_STR = (str, type(None))
OPT_INT = (int, type(None))
OPT_LIST = (list, type(None))
SA_KEYS: dict[str, type | tuple[type, ...]] = {
    "name": OPT_STR,
    "unique_id": OPT_INT,
    "version": int,
    "role": OPT_STR,
    "local": OPT_STR,
    "remote": OPT_STR,
    "local_id": OPT_STR,
    "remote_id": OPT_STR,
    "eap_identity": OPT_STR,
    "proposal": OPT_STR,
    "state": str,
    "established": bool,
    "failure": (dict, type(None)),
    "pairs_to_establish": OPT_INT,
    "pairs_total": int,
    "exchanges": list,
    "eap": list,
    "child_sas": list,
    "virtual_ips": list,
}
EXCHANGE_KEYS: dict[str, type | tuple[type, ...]] = {
    "type": str,
    "message_id": int,
    "initiator": str,
    "request": OPT_LIST,
    "response": OPT_LIST,
    "retransmits": int,
    "request_fragments": int,
    "response_fragments": int,
}
CHILD_KEYS: dict[str, type | tuple[type, ...]] = {
    "name": str,
    "unique_id": int,
    "spi_in": OPT_STR,
    "spi_out": OPT_STR,
    "ts_local": list,
    "ts_remote": list,
    "proposal": OPT_STR,
    "state": str,
    "bytes_in": OPT_INT,
    "bytes_out": OPT_INT,
}
EAP_KEYS = {"method": str, "result": str}
SA_STATES = {
    "connecting",
    "established",
    "rekeyed",
    "deleting",
    "deleted",
    "failed",
    "open",
}


def has_keys(obj: dict[str, Any], spec: dict[str, Any], where: str) -> None:
    for key, types in spec.items():
        assert key in obj, f"{where}: no key {key!r}"
        value = obj[key]
        # bool is an int, but an int field must not hold a bool and back
        is_bool = isinstance(value, bool)
        wants_bool = types is bool or (isinstance(types, tuple) and bool in types)
        assert isinstance(value, types) and is_bool <= wants_bool, (
            f"{where}.{key} = {value!r}"
        )


def check_contract(doc: dict[str, Any]) -> None:
    has_keys(doc, TOP_KEYS, "doc")
    has_keys(doc["lines"], LINE_KEYS, "lines")
    lines = doc["lines"]
    assert lines["total"] == lines["understood"] + lines["unrecognized"]
    assert doc["layout"] in {"filelog", "syslog", "plain", "swanctl", "bare"}
    for i, sa in enumerate(doc["ike_sas"]):
        where = f"ike_sas[{i}]"
        has_keys(sa, SA_KEYS, where)
        assert sa["version"] in (1, 2)
        assert sa["role"] in ("initiator", "responder", None)
        assert sa["state"] in SA_STATES, sa["state"]
        if sa["failure"] is not None:
            assert {"stage", "reason", "kind", "line"} <= set(sa["failure"])
        assert all(isinstance(ip, str) for ip in sa["virtual_ips"])
        for j, x in enumerate(sa["exchanges"]):
            has_keys(x, EXCHANGE_KEYS, f"{where}.exchanges[{j}]")
            assert x["initiator"] in ("local", "remote")
            for side in ("request", "response"):
                if x[side] is not None:
                    assert all(isinstance(p, str) for p in x[side])
        for j, c in enumerate(sa["child_sas"]):
            has_keys(c, CHILD_KEYS, f"{where}.child_sas[{j}]")
            assert all(isinstance(t, str) for t in c["ts_local"] + c["ts_remote"])
        for j, e in enumerate(sa["eap"]):
            has_keys(e, EAP_KEYS, f"{where}.eap[{j}]")
            assert e["result"] in ("started", "success", "nak", "failure")
    for i, lease in enumerate(doc["leases"]):
        keys = {"address", "identity", "online", "online_time", "offline_time"}
        assert keys | {"online_line", "offline_line", "ike_sa"} <= set(lease), i


@pytest.mark.parametrize("path", ALL_SAMPLES, ids=lambda p: p.name)
def test_json_contract(path: Path) -> None:
    check_contract(analyze_json(path))


def test_json_seed_values() -> None:
    doc = analyze_json(SEED)
    assert doc["lines"]["total"] == 116
    assert doc["layout"] == "bare"
    (sa,) = doc["ike_sas"]
    assert (sa["name"], sa["unique_id"], sa["version"]) == ("eap", 3, 2)
    assert sa["pairs_to_establish"] == 7
    assert sa["eap_identity"] == "andi"
    auth1 = sa["exchanges"][1]
    assert (auth1["type"], auth1["message_id"]) == ("IKE_AUTH", 1)
    assert (auth1["request_fragments"], auth1["response_fragments"]) == (3, 0)
    assert [(e["method"], e["result"]) for e in sa["eap"]] == [
        ("EAP_IDENTITY", "success"),
        ("EAP_TLS", "nak"),
        ("EAP_MSCHAPV2", "success"),
    ]
    (child,) = sa["child_sas"]
    assert (child["spi_in"], child["spi_out"]) == ("c2713224", "36ce686c")
    assert {x["address"] for x in doc["leases"]} == {"10.10.1.67", "2a02:168:4407:1::3"}


def test_json_failure_in_ike_sa_init() -> None:
    (sa,) = analyze_json(LAB_NO_PROP)["ike_sas"]
    assert sa["established"] is False
    assert sa["failure"]["stage"] == "IKE_SA_INIT"
    assert sa["failure"]["reason"] == "received proposals unacceptable"
    (x,) = sa["exchanges"]
    assert x["response"] == ["N(NO_PROP)"]


def test_json_retransmits() -> None:
    (sa,) = analyze_json(LAB_UNREACHABLE)["ike_sas"]
    assert (sa["name"], sa["role"]) == ("branch", "initiator")
    (x,) = sa["exchanges"]
    assert (x["type"], x["retransmits"], x["response"]) == ("IKE_SA_INIT", 3, None)


def test_json_year_option() -> None:
    doc = analyze_json("--year", "2020", LAB_GW)
    assert doc["ike_sas"][0]["first_time"] == "2020-12-03T16:42:01"


def test_json_only_one_document_on_stdout() -> None:
    result = analyze("--json", SEED)
    assert result.exit_code == 0
    json.loads(result.stdout)  # nothing but the document
    assert result.stderr == ""


def test_stdin() -> None:
    from_file = analyze_json(SEED)
    from_stdin = analyze_json("-", input=SEED.read_bytes())
    assert from_stdin["source"] == "-"
    assert from_stdin["lines"] == from_file["lines"]
    assert from_stdin["ike_sas"] == from_file["ike_sas"]
    assert from_stdin["leases"] == from_file["leases"]


def test_stdin_terminal_report() -> None:
    result = analyze("-", input=LAB_GW.read_bytes())
    assert result.exit_code == 0, result.output
    assert "eap[1]" in result.stdout
    assert "win[2]" in result.stdout


# -- golden renders -------------------------------------------------------------


def render(path: Path, *, only: str | None = None, year: int = 2025) -> list[str]:
    with path.open(encoding="utf-8") as f:
        trace = ikelog.read_lines(f, source=f"samples/{path.name}", year=year)
    out = io.StringIO()
    console = Console(width=100, color_system=None, file=out, markup=False, emoji=False)
    for part in terminal.report(trace, only=only):
        console.print(part)
    return out.getvalue().splitlines()


def row(lines: list[str], *needles: str) -> str:
    """The one line containing every needle."""
    found = [line for line in lines if all(n in line for n in needles)]
    assert len(found) == 1, (needles, found)
    return found[0]


@pytest.fixture(scope="module")
def seed_report() -> list[str]:
    return render(SEED)


def test_render_width(seed_report: list[str]) -> None:
    assert max(len(line) for line in seed_report) == 100


def test_render_summary(seed_report: list[str]) -> None:
    assert seed_report[:8] == [
        "╭──────────────────────────────── ikelog ─────────────────────────────────╮",
        "│ source     samples/windows-eap-mschapv2.log                             │",
        "│ layout     bare                                                         │",
        "│ lines      116 read, 116 understood, 0 unrecognized (1 not from charon) │",
        "│ time span  09:58:20 .. 09:59:05                                         │",
        "│ IKE SAs    1 established                                                │",
        "│ leases     2                                                            │",
        "╰─────────────────────────────────────────────────────────────────────────╯",
    ]


def test_render_sa_facts(seed_report: list[str]) -> None:
    assert seed_report[8].startswith("╭─ eap[3]  established (deleted) ──")
    assert row(seed_report, "│ exchanges ") == (
        "│ exchanges     12 request/response pairs, 7 to establish".ljust(99) + "│"
    )
    assert row(seed_report, "│ EAP    ") == (
        "│ EAP           IDENTITY success, TLS nak, MSCHAPV2 success".ljust(99) + "│"
    )
    assert row(seed_report, "│ EAP identity ") == (
        "│ EAP identity  andi".ljust(99) + "│"
    )
    assert row(seed_report, "│ client ").split() == [
        "│",
        "client",
        "Windows",
        "(built-in",
        "IKEv2",
        "client)",
        "│",
    ]


def test_render_ladder_fragments(seed_report: list[str]) -> None:
    assert row(seed_report, "IKE_AUTH 1 ") == (
        "│           IKE_AUTH 1        ◀──  IDi CERTREQ N(MOBIKE_SUP) CPRQ(ADDR DNS"
        "     3 fragments, 1536 B │"
    )
    assert row(seed_report, "IDr CERT AUTH EAP/REQ/ID") == (
        "│                             ──▶  IDr CERT AUTH EAP/REQ/ID"
        "                    1200 B              │"
    )


def test_render_ladder_dpd_rows(seed_report: list[str]) -> None:
    assert row(seed_report, "INFORMATIONAL 7 ") == (
        "│ 09:58:20  INFORMATIONAL 7   ◀──  [ ]"
        "                                         80 B                │"
    )


def test_render_child(seed_report: list[str]) -> None:
    assert row(seed_report, "SPIs c2713224") == (
        "│         SPIs c2713224 in, 36ce686c out; closed after 45329 bytes in, "
        "72297 bytes out             │"
    )
    assert row(seed_report, "eap{3}").split()[1:3] == ["eap{3}", "closed"]


def test_render_leases(seed_report: list[str]) -> None:
    # the lease table: address, identity, online and offline lines
    cells = [c for c in row(seed_report, "10.10.1.67 ", "andi").split() if c != "│"]
    assert cells == ["10.10.1.67", "andi", "line", "79", "line", "116"]


def test_render_only_one_sa() -> None:
    lines = render(LAB_GW, only="win[2]")
    assert any(line.startswith("╭─ win[2]  established") for line in lines)
    assert not any("eap[1]" in line for line in lines)
    assert not any("┃ address" in line for line in lines)  # no lease table


def test_render_ladder_time_of_day() -> None:
    """The time column shows the time of day of each message, not the tail
    of an ISO date (``-03T16:43:25``)."""
    lines = render(LAB_NO_PROP)
    init = row(lines, "IKE_SA_INIT 0 ")
    assert init.split()[1] == "16:43:25", init
    assert "-03T" not in "\n".join(lines)


def test_render_outbound_fragmented_response_size() -> None:
    """The gateway split IKE_AUTH response 1 ("splitting IKE message (992
    bytes) into 3 fragments"); like a reassembled request, the row shows the
    message size, not the size of its first fragment packet."""
    lines = render(LAB_GW, only="eap[1]")
    reply = row(lines, "IDr CERT AUTH EAP/REQ/ID")
    assert "3 fragments, 992 B" in reply, reply


def test_render_failure_row() -> None:
    lines = render(LAB_NO_PROP)
    assert row(lines, "failure").split() == [
        "│",
        "failure",
        "IKE_SA_INIT:",
        "received",
        "proposals",
        "unacceptable",
        "(line",
        "18)",
        "│",
    ]
    assert row(lines, "N(NO_PROP)").split()[-3:] == ["36", "B", "│"]


def test_render_retransmits() -> None:
    lines = render(LAB_UNREACHABLE)
    assert "308 B, 3 retransmits" in row(lines, "IKE_SA_INIT 0 ")
    assert "no response in log" in "\n".join(lines)


def test_log_text_is_never_markup_or_emoji(tmp_path: Path) -> None:
    """An identity with ``[/]`` and an IPv6 address with ``:a:`` are shown as
    written (rich would read them as markup and an emoji code)."""
    text = (SAMPLES / "lab-gateway-eap-and-certs.log").read_text()
    odd = text.replace("'user1'", "'us[/]er1'").replace("fd99:1::1", "fd99:a:b::1")
    path = tmp_path / "odd.log"
    path.write_text(odd)
    result = runner.invoke(app, ["analyze", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "us[/]er1" in result.output
    assert "fd99:a:b::1" in result.output


def test_unknown_sa_is_an_error() -> None:
    result = runner.invoke(app, ["analyze", "--sa", "nope", str(SEED)])
    assert result.exit_code == 2
    assert "no IKE SA 'nope'" in result.output and "known: eap[3]" in result.output


def test_json_shows_only_the_chosen_sa() -> None:
    result = runner.invoke(app, ["analyze", "--json", "--sa", "win[2]", str(LAB_GW)])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert [(s["name"], s["unique_id"]) for s in doc["ike_sas"]] == [("win", 2)]
    # its leases and findings only: not eap[1]'s leases, nor eap[1]'s peer
    # config switch
    assert [(x["address"], x["ike_sa_label"]) for x in doc["leases"]] == [
        ("10.99.1.66", "win[2]"),
        ("fd99:1::2", "win[2]"),
    ]
    assert doc["findings"] and all("win[2]" in f["ike_sas"] for f in doc["findings"])


def test_json_sa_of_an_untagged_log_is_found_by_its_label() -> None:
    # the SAs of the seed are unnamed until charon names them; --sa takes
    # the label the report shows, and the JSON keeps that SA
    result = runner.invoke(app, ["analyze", "--json", "--sa", "eap[3]", str(SEED)])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert [s["label"] for s in doc["ike_sas"]] == ["eap[3]"]
    assert [x["address"] for x in doc["leases"]] == ["10.10.1.67", "2a02:168:4407:1::3"]


def test_year_out_of_range_is_refused() -> None:
    result = runner.invoke(app, ["analyze", "--year", "0", str(SEED)])
    assert result.exit_code == 2


def test_refused_proposals_are_shown_side_by_side() -> None:
    result = analyze(str(SAMPLES / "lab-gateway-proposal-mismatch.log"))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "offered     IKE:AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024" in out
    assert "configured  IKE:AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384" in out


@pytest.mark.parametrize("command", ["analyze", "diagnose"])
def test_a_reader_that_stops_early_is_no_error(command: str) -> None:
    # `ikelog analyze big.log | head`: exit 0, not the 1 of --fail-on
    import subprocess
    import sys

    gateway = str(SAMPLES / "lab-many-clients-gateway.log.gz")
    run = subprocess.Popen(
        [sys.executable, "-m", "ikelog", command, gateway],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert run.stdout is not None and run.stderr is not None
    assert run.stdout.read(200)
    run.stdout.close()
    assert run.wait(timeout=120) == 0
    assert run.stderr.read() == b""


def test_options_that_need_a_log_refuse_a_listing_alone() -> None:
    listing = corpus("public/19-swanctl-list-sas-duplicate-ike-sas.log")
    for option in (["--sa", "nomatch"], ["--csv", "out"]):
        result = runner.invoke(app, ["analyze", *option, str(listing)])
        assert result.exit_code == 2
        assert f"{option[0]} needs a charon log" in result.output
