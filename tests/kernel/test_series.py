"""kmod/series.py: the patch series carries kmod/'s sources and the spec's ABI entry.

The drift check needs no kernel tree; regenerating the series byte for byte needs
the linux-source-6.12 tarball, and kmod/check-series.sh does that in `tox -e kernel`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .conftest import load_kmod_module

series = load_kmod_module("series")


def test_out_of_tree_blocks_go_and_their_else_branches_stay() -> None:
    source = (
        "a\n"
        "#ifdef MDEV_QOS_OUT_OF_TREE\n"
        "module boilerplate\n"
        "#ifndef SYSFS_GROUP_INVISIBLE\n"
        "#define MDEV_QOS_GROUP_BY_HAND\n"
        "#endif\n"
        "#endif\n"
        "#ifndef MDEV_QOS_GROUP_BY_HAND\n"
        "in tree\n"
        "#ifdef CONFIG_X\n"
        "kept\n"
        "#endif\n"
        "#else\n"
        "by hand\n"
        "#endif\n"
        "b\n"
    )
    assert series.in_tree(source) == "a\nin tree\n#ifdef CONFIG_X\nkept\n#endif\nb\n"


def test_a_removed_block_leaves_one_blank_line() -> None:
    source = "a\n\n#ifdef MDEV_QOS_OUT_OF_TREE\nx\n#endif\n\nb\n"
    assert series.in_tree(source) == "a\n\nb\n"


@pytest.mark.parametrize("source", ["#ifdef MDEV_QOS_OUT_OF_TREE\nx\n", "#endif\n"])
def test_unbalanced_conditionals_are_refused(source: str) -> None:
    with pytest.raises(series.SeriesError):
        series.in_tree(source)


def test_text_outside_the_blocks_is_kept_as_it_is() -> None:
    source = "a\n\n\nb\n#ifdef MDEV_QOS_OUT_OF_TREE\nx\n#else\ny\n#endif\n\n\nc\n"
    assert series.in_tree(source) == "a\n\n\nb\ny\n\n\nc\n"


def test_the_in_tree_sources_have_no_out_of_tree_code() -> None:
    for src in [*series.SOURCES, *series.CONVERTED]:
        text = series.in_tree((series.KMOD / src).read_text())
        assert "OUT_OF_TREE" not in text and "GROUP_BY_HAND" not in text
        assert not any(macro in text for macro in series.OUT_OF_TREE_MACROS)
        assert "MODULE_LICENSE" not in text or src in ("mqos.c", "mdpy.c")


def test_the_committed_series_matches_kmod_and_the_spec() -> None:
    assert series.check_series(series.SERIES) == []


def test_a_changed_source_is_a_drift(tmp_path: Path) -> None:
    copy = tmp_path / "series"
    shutil.copytree(series.SERIES, copy)
    patch = next(copy.glob("0001-*.patch"))
    patch.write_text(
        patch.read_text().replace(
            "+#define MDEV_QOS_CAP_MAX\t100", "+#define MDEV_QOS_CAP_MAX\t99", 1
        )
    )
    assert series.check_series(copy) == ["include/linux/mdev_qos.h: differs from its source"]


def test_added_files_reads_new_files_only() -> None:
    patch = (
        "diff --git a/MAINTAINERS b/MAINTAINERS\nindex 1..2 100644\n--- a/MAINTAINERS\n"
        "+++ b/MAINTAINERS\n@@ -1 +1,2 @@\n x\n+y\n"
        "diff --git a/new.c b/new.c\nnew file mode 100644\nindex 0..3\n--- /dev/null\n"
        "+++ b/new.c\n@@ -0,0 +1,2 @@\n+int a;\n+\n"
    )
    assert series.added_files(patch) == {"new.c": "int a;\n\n"}


def test_unapply_undoes_the_hunks_and_checks_them() -> None:
    hunks = ["@@ -1,3 +1,3 @@", " a", "-b", "+B", " c", "@@ -5 +5,2 @@", " e", "+f"]
    assert series.unapply("a\nB\nc\nd\ne\nf\ng\n", hunks) == "a\nb\nc\nd\ne\ng\n"
    with pytest.raises(series.SeriesError, match="line 2"):
        series.unapply("a\nX\nc\nd\ne\nf\n", hunks)


def _converted_with(monkeypatch: pytest.MonkeyPatch, old: str, new: str) -> None:
    files = series.converted_files()
    path = "samples/vfio-mdev/mdpy.c"
    assert files[path].count(old) == 1
    files[path] = files[path].replace(old, new)
    monkeypatch.setattr(series, "converted_files", lambda: files)


def test_mdpy_changed_where_the_patch_does_not_look_is_a_drift(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A line no hunk shows: only the pinned hash of the pristine file can tell."""
    _converted_with(monkeypatch, "MDPY_DISPLAY_REGION\t16", "MDPY_DISPLAY_REGION\t17")
    assert series.check_series(series.SERIES) == [
        "samples/vfio-mdev/mdpy.c: differs from its source"
    ]


def test_mdpy_changed_inside_a_hunk_is_a_drift(monkeypatch: pytest.MonkeyPatch) -> None:
    _converted_with(monkeypatch, "MDPY_QOS_TIMESLICE_US\t100", "MDPY_QOS_TIMESLICE_US\t200")
    [problem] = series.check_series(series.SERIES)
    assert problem.startswith("samples/vfio-mdev/mdpy.c: differs from its source (line ")


def test_a_series_without_the_mdpy_patch_is_a_drift(tmp_path: Path) -> None:
    copy = tmp_path / "series"
    shutil.copytree(series.SERIES, copy)
    next(copy.glob("0005-*mdpy*.patch")).unlink()
    problems = series.check_series(copy)
    assert "samples/vfio-mdev/mdpy.c: not in the series" in problems
