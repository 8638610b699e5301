"""Comments and docstrings say why the code is as it is, not its history: which issue or work
session changed it is in git, and benchmark figures are in bench/README.md."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HISTORY = re.compile(r"\b(issue|session) \d+\b|\bas they land\b|\bafter the first merge\b", re.I)


def _comments_and_docstrings(source: str) -> list[tuple[int, str]]:
    found = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT or (token.type == tokenize.STRING and token.string.startswith(('"""', "'''"))):
            found.append((token.start[0], token.string))
    return found


def test_no_comment_narrates_history():
    narrating = [f"{path.relative_to(ROOT)}:{line}" for path in sorted((ROOT / "confops").rglob("*.py"))
                 for line, text in _comments_and_docstrings(path.read_text(encoding="utf-8")) if HISTORY.search(text)]
    assert not narrating, f"comments citing an issue or a session (say why instead): {narrating}"
