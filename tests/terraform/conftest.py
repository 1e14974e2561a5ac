"""Fixtures for the Terraform reader's tests."""
from __future__ import annotations

import pytest

from tfhelpers import write_module


@pytest.fixture
def tf(tmp_path):
    """tf(main_tf_text, extra={path: text}, **parse_modules options) -> ParseResult."""
    from walint.parsers.terraform import parse_modules

    def run(text, extra=None, **kw):
        files = {"main.tf": text}
        files.update(extra or {})
        write_module(tmp_path, files)
        return parse_modules([str(tmp_path)], **kw)
    return run
