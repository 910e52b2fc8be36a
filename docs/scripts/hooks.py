# SPDX-License-Identifier: MIT
"""MkDocs hooks: keep the site readable offline, and the navigation files out of it.

A page that loads a script, a stylesheet or a font from another site would need the network
to render (MathJax from a CDN, web fonts): each such reference is a warning, which
``mkdocs build --strict`` turns into a failed build. Links (``<a href>``) are fine.
"""

import logging
import re
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files

log = logging.getLogger("mkdocs.hooks.offline")

_EXTERNAL = re.compile(
    r"<(?:script|img|iframe)\b[^>]*\bsrc=\"(?P<src>(?:https?:)?//[^\"]+)\""
    r"|<link\b[^>]*\bhref=\"(?P<href>(?:https?:)?//[^\"]+)\"[^>]*>",
    re.IGNORECASE,
)


def on_post_page(output: str, page: Any, config: Any) -> str:
    """Warn about every resource a built page would load from the network."""
    for match in _EXTERNAL.finditer(output):
        tag = match.group(0)
        if tag.lower().startswith("<link") and not re.search(
            r"rel=\"(?:stylesheet|preload|preconnect|icon)\"", tag
        ):
            continue
        url = match.group("src") or match.group("href")
        log.warning(
            "%s loads %s from the network; the site must work offline", page.file.src_uri, url
        )
    return output


@event_priority(-200)  # after literate-nav (-100) has read the navigation from them
def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Drop the generated ``SUMMARY.md`` navigation files: they are not pages."""
    for file in list(files):
        if file.src_uri.endswith("SUMMARY.md"):
            files.remove(file)
    return files
