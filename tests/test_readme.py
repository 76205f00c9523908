"""Every command and snippet the README shows runs, on the bundled samples
(its ``charon.log`` stands for any log; listings come from ../shared)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

import ikelog
from ikelog.cli import app

from .conftest import ROOT, SAMPLES, corpus

README = (ROOT / "README.md").read_text()
runner = CliRunner()

#: What the README's placeholders stand for.
STANDS_FOR = {
    "charon.log": str(SAMPLES / "lab-gateway-eap-and-certs.log"),
    "charon.log.1": str(SAMPLES / "lab-gateway-eap-and-certs.log"),
    "gw.log": str(SAMPLES / "lab-gateway-eap-and-certs.log"),
    "client.log": str(SAMPLES / "lab-client-gateway-unreachable.log"),
}


def _use_commands() -> list[str]:
    block = README.split("## Use", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    return [
        line.split("#", 1)[0].strip() for line in block.splitlines() if line.strip()
    ]


@pytest.mark.parametrize("command", _use_commands())
def test_use_commands_run(command: str, tmp_path: Path) -> None:
    if command.startswith("journalctl"):
        command = "ikelog analyze -"  # the log comes on stdin
        stdin = (SAMPLES / "windows-eap-mschapv2.log").read_text()
    else:
        stdin = None
    command = command.split(">", 1)[0]  # output redirection is the shell's
    words = shlex.split(command)[1:]
    if "list-sas.txt" in words:
        listing = corpus("lab", "a-seed-like", "gw", "snapshots", "list-sas.end.txt")
        words = [str(listing) if w == "list-sas.txt" else w for w in words]
        words = [
            str(corpus("lab", "a-seed-like", "gw", "charon.log"))
            if w == "charon.log"
            else w
            for w in words
        ]
    if "--sa" in words:  # the README names the seed session's SA
        words = [
            str(SAMPLES / "windows-eap-mschapv2.log") if w == "charon.log" else w
            for w in words
        ]
    failing = "--fail-on" in words
    if failing:  # a log with an error finding
        words = [
            str(SAMPLES / "lab-gateway-proposal-mismatch.log")
            if w == "charon.log"
            else w
            for w in words
        ]
    words = [STANDS_FOR.get(w, w) for w in words]
    words = [str(tmp_path / "out") if w == "out/" else w for w in words]
    result = runner.invoke(app, words, input=stdin)
    assert result.exit_code == (1 if failing else 0), (command, result.output)
    assert "Traceback" not in result.output
    if "--json" in words:
        assert json.loads(result.output)["ike_sas"]


def test_python_snippet_runs() -> None:
    pytest.importorskip("matplotlib")
    block = README.split("### In Python and Jupyter", 1)[1].split("```python", 1)[1]
    code = block.split("```", 1)[0]
    namespace: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), namespace)
    trace = namespace["trace"]
    assert isinstance(trace, ikelog.Trace)
    assert namespace["sa"].pairs_to_establish == 7  # type: ignore[attr-defined]


def test_setup_commands_name_the_sample_and_the_tests() -> None:
    setup = README.split("## Set up", 1)[1].split("## Use", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", setup, re.S)
    assert commands[0].endswith("ikelog analyze samples/windows-eap-mschapv2.log")
    assert commands[1].endswith("python -m pytest")
    assert (ROOT / ".ci" / "run").read_text().strip().endswith(commands[1])
