"""`workbench serve --user-header NAME --roles FILE`: what reaches Voila and the kernels, and what is refused before
anything starts. (The whole path through a real proxy and Chromium: tests/browser/test_proxy.py.)"""
from __future__ import annotations

import json
from pathlib import Path

from workbench.cli import main
from workbench.serve import serve_env, write_voila_config
from workbench.store import DecisionStore

ROOT = Path(__file__).resolve().parents[2] / "sample_data"


def test_voila_hands_only_the_named_header_to_kernels(tmp_path):
    write_voila_config(tmp_path, "X-Remote-User")
    config = json.loads((tmp_path / "voila.json").read_text())
    assert config["VoilaConfiguration"]["http_header_envs"] == ["X-Remote-User"]
    assert config["VoilaConfiguration"]["file_allowlist"] == []          # the existing settings are kept
    write_voila_config(tmp_path)
    assert "http_header_envs" not in json.loads((tmp_path / "voila.json").read_text())["VoilaConfiguration"]


def test_the_servers_own_environment_never_supplies_an_identity(monkeypatch, tmp_path):
    """A stale HTTP_X_REMOTE_USER where serve was started would reach every kernel whose request lacked the
    header (Voila starts kernels with the server's environment plus the request's headers)."""
    monkeypatch.setenv("HTTP_X_REMOTE_USER", "mallory")
    monkeypatch.setenv("WORKBENCH_USER_HEADER", "X-Stale")
    env = serve_env(ROOT, f"sqlite:///{tmp_path / 'd.sqlite'}", "zh", user_header="X-Remote-User")
    assert "HTTP_X_REMOTE_USER" not in env and env["WORKBENCH_USER_HEADER"] == "X-Remote-User"
    env = serve_env(ROOT, f"sqlite:///{tmp_path / 'd.sqlite'}", "zh")   # local mode: no header expected
    assert "WORKBENCH_USER_HEADER" not in env


def test_bad_header_name_refused_before_starting(capsys):
    assert main(["serve", str(ROOT), "--user-header", "X Remote User"]) == 2
    err = capsys.readouterr().err
    assert "letters, digits" in err and len(err.strip().splitlines()) == 1


def test_bad_roles_file_refused_before_starting(tmp_path, capsys):
    roles = tmp_path / "roles.yaml"
    roles.write_text("identities: {alice: admin}\n", encoding="utf-8")
    db = tmp_path / "d.sqlite"
    assert main(["serve", str(ROOT), "--db-url", f"sqlite:///{db}", "--roles", str(roles)]) == 2
    err = capsys.readouterr().err
    assert "role must be one of reviewer, lead" in err and "角色文件" in err and len(err.strip().splitlines()) == 1
    with DecisionStore(f"sqlite:///{db}") as s:
        assert s.entries() == []
