"""Run the scenarios in-process with pytest and pytest-bdd, and collect their results.

pytest is configured so that nothing from the current directory leaks in: no
ini file, no conftest, no cache directory, no auto-loaded third-party plugins
(a plugin that reorders or reruns tests would change results).
"""

from __future__ import annotations

import gc
import importlib.util
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import pytest

from conformance.results import ScenarioResult
from conformance.suite import plugin as suite_plugin
from conformance.suite import scenario_source
from conformance.suite.recorder import Recorder
from conformance.suite.seeded_draws import seed_only
from conformance.suite.session import SuiteSession
from conformance.suite.step_lookup import memoised_step_lookup

SCENARIO_MODULE = "conformance.suite.scenarios"
DEFAULT_STEP_PLUGINS = ("conformance.steps",)


@dataclass
class RunOutcome:
    """What the pytest run produced."""

    results: list[ScenarioResult]
    collection_errors: list[str] = field(default_factory=list)
    interrupted: bool = False  # by SIGINT/SIGTERM
    exit_code: int = 0
    started: float = 0.0
    finished: float = 0.0


class _SessionPlugin:
    """Hands the run's session to the step fixtures."""

    def __init__(self, session: SuiteSession) -> None:
        self.session = session

    @pytest.hookimpl(tryfirst=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        config.stash[suite_plugin.SESSION_KEY] = self.session


def progress_line(index: int, total: int, result: ScenarioResult) -> str:
    """``[ 3/70] PASS  Cap: a new mdev's cap is 100 (0.01 s)``; the reason on failure."""
    width = len(str(total))
    # one line, even when an Examples row writes "60\n"
    title = "".join(c if c.isprintable() else repr(c)[1:-1] for c in result.title)
    line = f"[{index:>{width}}/{total}] {result.status.upper():<5} {title}"
    line += f" ({result.duration_s:.2f} s)"
    if result.status != "pass" and result.reason:
        line += f"\n{' ' * (width * 2 + 4)}{result.reason.splitlines()[0][:200]}"
    return line


def check_select(expression: str) -> None:
    """Refuse a malformed ``-k`` expression before anything runs (ValueError, one line)."""
    from _pytest.mark.expression import Expression

    try:
        Expression.compile(expression)
    except Exception as exc:  # noqa: BLE001 - SyntaxError (pytest 8.4+) or ParseError
        message = getattr(exc, "msg", None) or getattr(exc, "message", None) or str(exc)
        column = getattr(exc, "offset", None) or getattr(exc, "column", None)
        where = f" at column {column}" if column else ""
        raise ValueError(f"-k {expression!r}: not a valid expression{where}: {message}") from None


def run_scenarios(
    session: SuiteSession,
    *,
    features: Path | None = None,
    step_plugins: Sequence[str | ModuleType] = DEFAULT_STEP_PLUGINS,
    select: str | None = None,
    on_result: Callable[[ScenarioResult], None] | None = None,
) -> RunOutcome:
    """Run every scenario under ``features`` (default: the packaged feature files).

    ``select`` is a pytest ``-k`` expression over scenario names and tags.
    ``on_result`` is called after each scenario (progress); by default a line goes
    to stderr through the session's progress callback.
    """
    scenario_source.use(features)
    sys.modules.pop(SCENARIO_MODULE, None)  # bind the chosen features afresh
    counter = {"n": 0}

    def report(result: ScenarioResult) -> None:
        if on_result is not None:
            on_result(result)
            return
        if result.skip_kind == "profile":
            return  # counted once when collected; listed in the reports
        counter["n"] += 1
        in_profile = recorder.total - recorder.outside_profile
        session.progress(progress_line(counter["n"], in_profile, result))

    recorder = Recorder(session, report)
    module_plugins = [p for p in step_plugins if isinstance(p, ModuleType)]
    named_plugins = [p for p in step_plugins if isinstance(p, str)]
    scenario_path = _scenario_module_path()
    with tempfile.TemporaryDirectory(prefix="mdev-qos-pytest-") as scratch:
        ini = Path(scratch) / "pytest.ini"
        ini.write_text("[pytest]\n")
        args = [
            str(scenario_path),
            "-c",
            str(ini),
            "--rootdir",
            scratch,
            "--noconftest",
            "--disable-plugin-autoload",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:terminal",
            "-p",
            "no:stepwise",
            "-p",  # its gc.collect() at the end walks every object of the run (0.2 s)
            "no:unraisableexception",
            "-p",
            "pytest_bdd.plugin",
            "--capture=sys",
            "--assert=plain",  # the steps' asserts carry their own messages: no rewriting
            "-o",
            "python_files=*.py",
        ]
        for name in named_plugins:
            if importlib.util.find_spec(name) is None:
                raise ModuleNotFoundError(f"step definitions {name!r} are not installed")
            args += ["-p", name]
        if select:
            args += ["-k", select]
        started = time.time()
        gc.freeze()  # what is alive now (imports, the parsed spec) outlives the run
        try:
            with seed_only(), memoised_step_lookup():
                code = pytest.main(
                    args,
                    plugins=[suite_plugin, _SessionPlugin(session), recorder, *module_plugins],
                )
        finally:
            gc.unfreeze()
    outcome = RunOutcome(
        results=recorder.results,
        collection_errors=recorder.collection_errors,
        interrupted=bool(recorder.interrupted),
        exit_code=int(code),
        started=started,
        finished=time.time(),
    )
    if code in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.INTERNAL_ERROR):
        outcome.collection_errors.append(f"pytest could not run the scenarios (exit {int(code)})")
    return outcome


def _scenario_module_path() -> str:
    here = Path(__file__).resolve().parent
    path = here / "scenarios.py"
    if not path.is_file():
        raise FileNotFoundError(f"scenario module missing: {path}")
    return os.fspath(path)
