# SPDX-License-Identifier: MIT
"""Tests of :mod:`pumpleak_sbml.files`: result files are written atomically and never clobbered."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

import pumpleak_sbml as pl
from pumpleak_sbml.files import write_atomically, write_text


def _names(folder: Path) -> list[str]:
    """Every entry of ``folder`` (hidden temporary files included), sorted."""
    return sorted(os.listdir(folder))


def test_write_text_creates_file_with_content(tmp_path: Path) -> None:
    """write_text creates a new file with exactly the given UTF-8 text and returns its path."""
    target = tmp_path / "out.txt"
    returned = write_text(target, "Vm = -70 mV, 1 µA/cm²\n")
    assert returned == target
    assert target.read_text(encoding="utf-8") == "Vm = -70 mV, 1 µA/cm²\n"
    assert _names(tmp_path) == ["out.txt"]


def test_write_text_refuses_to_overwrite_by_default(tmp_path: Path) -> None:
    """write_text raises OutputError naming the file and leaves an existing file untouched."""
    target = tmp_path / "model.xml"
    target.write_text("old content", encoding="utf-8")
    with pytest.raises(pl.OutputError, match="already exists") as caught:
        write_text(target, "new content")
    assert str(target) in str(caught.value)
    assert isinstance(caught.value, OSError)
    assert target.read_text(encoding="utf-8") == "old content"
    assert _names(tmp_path) == ["model.xml"]


def test_write_text_overwrites_when_allowed(tmp_path: Path) -> None:
    """write_text(overwrite=True) replaces an existing file's content completely."""
    target = tmp_path / "model.xml"
    target.write_text("old content that is longer than the new one", encoding="utf-8")
    write_text(target, "new", overwrite=True)
    assert target.read_text(encoding="utf-8") == "new"
    assert _names(tmp_path) == ["model.xml"]


def test_write_text_leaves_no_temporary_file_after_failed_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write that fails half-way raises OutputError, keeps the old file and no temporary."""
    target = tmp_path / "model.xml"
    target.write_text("old content", encoding="utf-8")
    original_write_text = Path.write_text

    def fail_half_way(self: Path, data: str, *args: object, **kwargs: object) -> int:
        original_write_text(self, data[: len(data) // 2], encoding="utf-8")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_text", fail_half_way)
    with pytest.raises(pl.OutputError, match="No space left on device") as caught:
        write_text(target, "new content", overwrite=True)
    monkeypatch.undo()
    assert str(target) in str(caught.value)
    assert target.read_text(encoding="utf-8") == "old content"
    assert _names(tmp_path) == ["model.xml"]


def test_write_atomically_leaves_no_temporary_file_after_os_error(tmp_path: Path) -> None:
    """A writer raising OSError becomes OutputError; no file and no temporary remain."""
    target = tmp_path / "trajectory.csv"

    def writer(path: Path) -> None:
        path.write_text("time,Vm\n0,", encoding="utf-8")
        raise OSError(errno.EIO, "Input/output error")

    with pytest.raises(pl.OutputError, match="Input/output error"):
        write_atomically(target, writer)
    assert _names(tmp_path) == []


def test_write_atomically_leaves_no_temporary_file_after_other_error(tmp_path: Path) -> None:
    """A writer raising a non-OS error propagates it unchanged and cleans up its temporary."""
    target = tmp_path / "figure.png"
    target.write_bytes(b"old figure")

    def writer(path: Path) -> None:
        path.write_bytes(b"partial")
        raise RuntimeError("renderer crashed")

    with pytest.raises(RuntimeError, match="renderer crashed"):
        write_atomically(target, writer, overwrite=True)
    assert target.read_bytes() == b"old figure"
    assert _names(tmp_path) == ["figure.png"]


def test_write_atomically_leaves_no_temporary_file_on_success(tmp_path: Path) -> None:
    """After a successful write the folder holds the destination file and nothing else."""
    target = tmp_path / "trajectory.csv"
    write_atomically(target, lambda path: path.write_text("time,Vm\n", encoding="utf-8"))
    assert target.read_text(encoding="utf-8") == "time,Vm\n"
    assert _names(tmp_path) == ["trajectory.csv"]


def test_write_text_missing_folder_error_names_the_folder(tmp_path: Path) -> None:
    """Writing into a folder that does not exist raises OutputError naming that folder."""
    folder = tmp_path / "no_such_folder"
    with pytest.raises(pl.OutputError, match="does not exist") as caught:
        write_text(folder / "model.xml", "text")
    assert str(folder) in str(caught.value)
    assert not folder.exists()


def test_write_text_to_a_folder_raises_output_error(tmp_path: Path) -> None:
    """A destination that is a folder is refused with OutputError, even with overwrite=True."""
    folder = tmp_path / "results"
    folder.mkdir()
    with pytest.raises(pl.OutputError, match="is a folder"):
        write_text(folder, "text", overwrite=True)
    assert folder.is_dir()
    assert _names(folder) == []


def test_write_text_file_mode_follows_umask(tmp_path: Path) -> None:
    """A written file gets the same permissions as one created by open() (0666 & ~umask)."""
    umask = os.umask(0o022)
    try:
        write_text(tmp_path / "model.xml", "text")
        (tmp_path / "reference.xml").write_text("text", encoding="utf-8")
    finally:
        os.umask(umask)
    written = stat.S_IMODE((tmp_path / "model.xml").stat().st_mode)
    reference = stat.S_IMODE((tmp_path / "reference.xml").stat().st_mode)
    assert oct(written) == oct(reference)
