"""The self-contained Python snippets of the user guides run as written."""

import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def _snippets(guide):
    with open(os.path.join(ROOT, "docs", guide), encoding="utf-8") as handle:
        blocks = BLOCK.findall(handle.read())
    return [block for block in blocks if block.lstrip().startswith(("import ", "from "))]


@pytest.mark.slow
@pytest.mark.parametrize("index, code", list(enumerate(_snippets("core.md"))))
def test_core_guide_snippet_runs(tmp_path, index, code):
    os.symlink(os.path.join(ROOT, "examples"), tmp_path / "examples")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, f"snippet {index}:\n{code}\n{result.stderr[-3000:]}"
