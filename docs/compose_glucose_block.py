# SPDX-License-Identifier: MIT
"""Draw docs/compose_glucose_block.png: the red cell in Holzhuetter's metabolism, glucose cut off.

Run from the repository root (needs the [plot] extra)::

    python docs/compose_glucose_block.py

It composes ``red_cell`` with BIOMD0000000070 exactly as the README's command does, settles
the composed model at its steady state, sets external glucose to zero, and plots ten days.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import roadrunner

import pumpleak_sbml as pl

HERE = Path(__file__).resolve().parent
PATHWAY = (
    HERE.parent / "tests" / "data" / "biomodels" / "BIOMD0000000070_Holzhutter2004_erythrocyte.xml"
)
HOUR = 3600.0
WATER_FRACTION = 0.75  # L cell water per L cells (models/red_cell.ant, Lew & Bookchin)
WATER_FL = pl.parameters("red_cell")["V_init"] * 1e3  # the model's cell water, fL
SOLIDS_FL = WATER_FL * (1 - WATER_FRACTION) / WATER_FRACTION  # haemoglobin etc., fixed


def main() -> None:
    """Compose, run, and write the figure next to this script."""
    with tempfile.TemporaryDirectory() as scratch:
        result = pl.compose(
            "red_cell",
            PATHWAY,
            {"ATP": "MgATP", "ADP": "MgADP", "Pi": "Phi"},
            Path(scratch) / "rbc.xml",
            replace=("vATPase",),
            keep_rest=True,
        )
        runner = roadrunner.RoadRunner(result.flat.read_text(encoding="utf-8"))
    runner.conservedMoietyAnalysis = True
    runner.integrator.setValue("relative_tolerance", 1e-10)
    runner.integrator.setValue("absolute_tolerance", 1e-18)
    runner.steadyState()
    runner.simulate(0.0, 2000 * HOUR, 2)  # settle (checked in tests/test_compose_biomodels.py)
    columns = [
        "time",
        "[MgATP]",
        "cell__J_pump",
        "cell__conc_Na_i",
        "cell__conc_K_i",
        "shared_volume",
    ]
    before = runner.simulate(0.0, 24 * HOUR, 25, columns)
    runner["[Glcout]"] = 0.0
    after = runner.simulate(0.0, 240 * HOUR, 481, columns)
    hours = [*(before[:, 0] / HOUR - 24), *(after[:, 0] / HOUR)]

    def series(index: int, scale: float = 1.0) -> list[float]:
        return [*(before[:, index] * scale), *(after[:, index] * scale)]

    pump_scale = 3 * 1e-15 * 1e3 * HOUR / (before[0, 5] * 1e-12 / WATER_FRACTION)
    figure, axes = plt.subplots(2, 2, figsize=(10, 6.5), sharex=True)
    panels = [
        (axes[0, 0], [(series(1), "MgATP")], "MgATP (mM)"),
        (
            axes[0, 1],
            [(series(2, pump_scale), "pump Na⁺ efflux")],
            "Na⁺ pump flux\n(mmol/(L cells·h))",
        ),
        (axes[1, 0], [(series(3), "[Na⁺]ᵢ"), (series(4), "[K⁺]ᵢ")], "mM of cell water"),
        (
            axes[1, 1],
            [([v + SOLIDS_FL for v in series(5, 1e3)], "cell volume")],
            "cell volume (fL)",
        ),
    ]
    for axis, lines, label in panels:
        for values, name in lines:
            axis.plot(hours, values, label=name)
        axis.axvline(0.0, color="grey", linestyle=":", linewidth=1)
        axis.set_ylabel(label)
        if len(lines) > 1:
            axis.legend(frameon=False)
    limit = 1.75 * pl.parameters("red_cell")["V_init"] * 1e3 + SOLIDS_FL  # water x 70/40
    axes[1, 1].axhline(limit, color="grey", linestyle="--", linewidth=1)
    axes[1, 1].annotate(
        "double-Donnan limit (pump off)",
        (100, limit),
        textcoords="offset points",
        xytext=(0, -12),
        fontsize=8,
        color="grey",
    )
    for axis in axes[1]:
        axis.set_xlabel("time since glucose uptake stopped (h)")
    figure.suptitle(
        "red_cell + Holzhütter 2004 (BIOMD0000000070): glucose uptake blocked at t = 0\n"
        "ATP runs out and the pump stops; Na⁺ and K⁺ run down their gradients; the cell shrinks\n"
        "while K⁺ leaves faster than Na⁺ enters, then swells toward the pump-off Donnan limit"
    )
    figure.tight_layout()
    figure.savefig(HERE / "compose_glucose_block.png", dpi=120)
    print(f"wrote {HERE / 'compose_glucose_block.png'}")


if __name__ == "__main__":
    main()
