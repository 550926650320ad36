"""The run and snapshot commands: options, config files, refusals, recordings."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from conformance.cli import build_parser, main
from conformance.cli.run import request_from
from conformance.suite.targets import TargetOptions, open_session

ROOT = Path(__file__).resolve().parents[2]
CONFORMING = ROOT / "fixtures" / "conforming"
UUID = "6c2e1b0a-3f4d-4e5a-9b6c-7d8e9f0a1b2c"


def parse(*argv: str):
    return build_parser().parse_args(["run", *argv])


def test_options_override_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "run.json"
    config.write_text(
        json.dumps(
            {
                "profile": "control",
                "target": {"parent": "mqos1", "allow_write": True},
                "workload": {"name": "exec", "load_command": "x {uuid} {demand}", "timeout_s": 5},
                "report_dir": "from-config",
            }
        )
    )
    request = request_from(parse("--config", str(config), "--profile", "static"))
    assert request.target.profile == "static"
    assert request.target.parent == "mqos1" and request.target.allow_write
    assert (request.target.workload, request.target.exec_timeout_s) == ("exec", 5.0)
    assert request.report_dir == Path("from-config")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "not JSON"),
        ('{"profile": "everything"}', "profile"),
        ('{"target": {"mdevs": ["nope"]}}', "target/mdevs/0"),
    ],
)
def test_a_bad_config_is_refused_with_exit_2(tmp_path, capsys, content, message) -> None:
    config = tmp_path / "run.json"
    config.write_text(content)
    assert main(["run", "--config", str(config), "--report-dir", str(tmp_path / "r")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_a_missing_config_is_refused(tmp_path, capsys) -> None:
    assert main(["run", "--config", str(tmp_path / "none.json")]) == 2
    assert "--config" in capsys.readouterr().err


def test_a_tree_is_not_written_without_allow_write(tmp_path, capsys) -> None:
    code = main(
        [
            "run",
            "--sysfs-root",
            str(CONFORMING),
            "--parent",
            "mqos0",
            "--type",
            "mqos-full",
            "--report-dir",
            str(tmp_path / "r"),
        ]
    )
    assert code == 2
    assert "--allow-write" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


def test_a_bad_mdev_option_is_refused(tmp_path, capsys) -> None:
    assert main(["run", "--mdev", "12", "--report-dir", str(tmp_path / "r")]) == 2
    assert "UUID" in capsys.readouterr().err


def test_help_lists_profiles_and_exit_statuses(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    text = capsys.readouterr().out
    for word in ("static", "scheduling", "--allow-write", "{uuid}", "exit status"):
        assert word in text


def test_snapshot_records_contents_modes_and_layout(tmp_path) -> None:
    out = tmp_path / "rec"
    assert main(["snapshot", "--sysfs-root", str(CONFORMING), "--mdev", UUID, "-o", str(out)]) == 0
    device = f"sys/devices/virtual/mqos/mqos0/{UUID}"
    for name in ("cap", "weight", "priority", "usage_us", "timeslice_us"):
        source, copy = CONFORMING / device / "qos" / name, out / device / "qos" / name
        assert copy.read_bytes() == source.read_bytes()
        assert stat.S_IMODE(copy.stat().st_mode) == stat.S_IMODE(source.stat().st_mode)
    assert os.readlink(out / "sys/bus/mdev/devices" / UUID).endswith(f"mqos0/{UUID}")
    session = open_session(TargetOptions(sysfs_root=str(out), mdevs=(UUID,), profile="static"))
    assert (session.parent, session.type_id) == ("mqos0", "mqos-full")
    assert not session.writable


def test_snapshot_refuses_an_unknown_mdev_and_a_used_directory(tmp_path, capsys) -> None:
    args = ["snapshot", "--sysfs-root", str(CONFORMING), "-o", str(tmp_path / "rec")]
    assert main([*args, "--mdev", "0f1e2d3c-4b5a-4968-8776-000000000000"]) == 2
    (tmp_path / "rec").mkdir()
    (tmp_path / "rec" / "x").write_text("")
    assert main([*args, "--mdev", UUID]) == 2
    assert "not empty" in capsys.readouterr().err


def test_mock_noise_is_installed_in_the_embedded_mock(tmp_path) -> None:
    request = request_from(parse("--mock-noise", "7"))
    session = open_session(request.target)
    assert session.target.kernel.engine.noise.enabled
    assert "seed 7" in session.target.description


def test_mock_noise_composes_with_mock_driver() -> None:
    argv = ("--mock-driver", "conformance.mock.noise:NoisyQosDriver", "--mock-noise", "7")
    with pytest.warns(DeprecationWarning):
        session = open_session(request_from(parse(*argv)).target)
    assert session.target.kernel.engine.noise.seed == 7
    assert session.target.description == (
        "embedded reference mock with driver conformance.mock.noise:NoisyQosDriver, "
        "permitted noise, seed 7"
    )


def test_mock_options_are_refused_for_a_tree(tmp_path, capsys) -> None:
    code = main(
        [
            "run",
            "--sysfs-root",
            str(CONFORMING),
            "--profile",
            "static",
            "--mock-noise",
            "1",
            "--report-dir",
            str(tmp_path / "r"),
        ]
    )
    assert code == 2 and "embedded mock" in capsys.readouterr().err


def test_precision_is_chosen_with_one_option_and_stated(tmp_path, capsys) -> None:
    """certify: longer windows, a larger device-time limit, a claim that certifies."""
    reports = {}
    for name in ("quick", "certify"):
        out = tmp_path / name
        status = main(["run", "-q", "--profile", "scheduling", "--precision", name,
                       "-k", "proportion and not Examples", "--report-dir", str(out)])
        assert status == 0
        reports[name] = json.loads((out / "report.json").read_text())
        junit = (out / "junit.xml").read_text()
        assert f'name="precision" value="{name}"' in junit
        assert 'name="device_time_limit_s"' in junit
    quick, certify = reports["quick"], reports["certify"]
    assert (quick["precision"]["certification"], certify["precision"]["certification"]) == (
        False, True)
    assert all(not c["certification"] for c in quick["claims"].values())
    assert "not a certification" in quick["precision"]["statement"]
    assert certify["timing"]["device_time_limit_s"] > 4 * quick["timing"]["device_time_limit_s"] > 0
    assert "claims (quick: not a certification)" in capsys.readouterr().out


def test_a_bad_precision_is_refused(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["run", "--precision", "exact"])
    assert exc.value.code == 2
