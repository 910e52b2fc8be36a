# SPDX-License-Identifier: MIT
"""COMBINE archives rerun elsewhere: tellurium and COPASI reproduce ``pumpleak simulate``."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import numpy as np
import pytest

import pumpleak_sbml as pl
from pumpleak_sbml.formats import OMEX_END, OMEX_POINTS, export, save_export

# Another simulator on the same SBML: agreement to 1e-6 of each quantity's largest magnitude is
# the interchange tolerance; both integrators run far tighter (rel 1e-10 or better).
INTERCHANGE_TOLERANCE = 1e-6


def _difference(found: np.ndarray, reference: np.ndarray) -> float:
    return float(np.max(np.abs(found - reference)) / np.max(np.abs(reference)))


@pytest.fixture(scope="module")
def hydropic_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Write the hydropic_change archive once for this module."""
    path = tmp_path_factory.mktemp("omex") / "hydropic_change.omex"
    save_export("hydropic_change", path, "omex")
    return path


def test_omex_archive_is_deterministic_and_complete(hydropic_archive: Path) -> None:
    """The same model gives byte-identical archives holding SBML, SED-ML, manifest, metadata."""
    assert export("hydropic_change", "omex") == hydropic_archive.read_bytes()
    with zipfile.ZipFile(hydropic_archive) as archive:
        names = set(archive.namelist())
        dates = {entry.date_time for entry in archive.infolist()}
    assert names == {
        "hydropic_change.xml",
        "hydropic_change_at_steady_state.xml",
        "simulation.sedml",
        "manifest.xml",
        "metadata.rdf",
    }
    assert dates == {(1980, 1, 1, 0, 0, 0)}


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # tellurium's own imports
def test_tellurium_reruns_the_archive_like_pumpleak(hydropic_archive: Path, tmp_path: Path) -> None:
    """The executeCombineArchive of tellurium reproduces both standard experiments."""
    te = pytest.importorskip("tellurium")
    te.executeCombineArchive(
        str(hydropic_archive), outputDir=str(tmp_path), saveOutputs=True, createOutputs=True
    )
    for experiment, start in (("time_course", "initial"), ("scenario", "steady")):
        with (tmp_path / f"simulation_{experiment}_report.csv").open() as stream:
            rows = list(csv.reader(stream))
        header, values = rows[0], np.array(rows[1:], dtype=float)
        reference = pl.simulate("hydropic_change", OMEX_END, OMEX_POINTS, start=start)
        for index, quantity in enumerate(header):
            assert _difference(values[:, index], reference[quantity]) <= INTERCHANGE_TOLERANCE, (
                experiment,
                quantity,
            )


def test_copasi_imports_and_runs_the_archive(hydropic_archive: Path) -> None:
    """COPASI opens the archive's time course and reproduces it."""
    copasi = pytest.importorskip("COPASI")
    basico = pytest.importorskip("basico")
    model = copasi.CRootContainer.addDatamodel()
    try:
        assert model.openCombineArchive(str(hydropic_archive))
        problem = model.getTask("Time-Course").getProblem()
        assert problem.getDuration() == pytest.approx(OMEX_END)
        basico.set_current_model(model)
        result = basico.run_time_course(use_initial_values=True, use_sbml_id=True)
    finally:
        basico.remove_datamodel(model)
    reference = pl.simulate("hydropic_change", OMEX_END, OMEX_POINTS, start="initial")
    for quantity in ("cell", "Vm", "conc_Na_i", "conc_K_i", "conc_Cl_i"):
        found = np.asarray(result[quantity], dtype=float)
        assert _difference(found, reference[quantity]) <= INTERCHANGE_TOLERANCE, quantity


def test_archive_passes_the_biosimulators_validator(hydropic_archive: Path, tmp_path: Path) -> None:
    """BioSimulators' validator finds no error and no warning in the archive.

    biosimulators-utils is not a test dependency (it pins setuptools against ours); install it
    in its own environment to run this (seen passing with biosimulators-utils 0.2.3).
    """
    pytest.importorskip("biosimulators_utils", reason="biosimulators-utils is not installed")
    from biosimulators_utils.combine.io import CombineArchiveReader
    from biosimulators_utils.combine.validation import validate
    from biosimulators_utils.config import Config

    archive = CombineArchiveReader().run(str(hydropic_archive), str(tmp_path))
    config = Config(
        VALIDATE_OMEX_MANIFESTS=True,
        VALIDATE_SEDML=True,
        VALIDATE_SEDML_MODELS=True,
        VALIDATE_OMEX_METADATA=True,
    )
    errors, warnings = validate(archive, str(tmp_path), config=config)
    assert errors == []
    assert warnings == []
