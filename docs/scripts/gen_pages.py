# SPDX-License-Identifier: MIT
"""Write the generated pages of the site (run by the mkdocs-gen-files plugin at build time).

Every library model gets a page (``models/<name>.md``) and a figure; the command-line and API
references come from the package; MathJax is copied from its package. See model_pages.py and
reference_pages.py beside this file. Nothing here reads the network.
"""

import sys
from pathlib import Path

import mkdocs_gen_files

# The generator's modules sit beside this script, which mkdocs-gen-files runs as a file.
sys.path.insert(0, str(Path(__file__).resolve().parent))

import model_pages
import reference_pages


def _write(path: str, content: str | bytes) -> None:
    if isinstance(content, bytes):
        with mkdocs_gen_files.open(path, "wb") as binary:
            binary.write(content)
    else:
        with mkdocs_gen_files.open(path, "w", encoding="utf-8") as text:
            text.write(content)


def main() -> None:
    """Write every generated file into the site being built."""
    for generated in model_pages.model_files():
        _write(generated.path, generated.content)
    _write("cli-reference.md", reference_pages.cli_reference())
    _write("api-reference.md", reference_pages.api_reference())
    _write(reference_pages.MATHJAX_PATH, reference_pages.mathjax_script())


main()
