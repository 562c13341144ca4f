"""``import nemo_asr`` stays cheap: inflect and librosa's numba-backed parts load on first use."""
import subprocess
import sys

HEAVY = ("inflect", "librosa.filters", "librosa.core.spectrum", "numba")


def test_import_nemo_asr_leaves_heavy_modules_unloaded():
    probe = f"import sys, nemo_asr; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_inflect_is_built_on_first_normalization():
    from nemo_asr.parts.text import normalize_text

    assert normalize_text("On the 21st I paid $3.50") == "on the twenty first i paid three dollars fifty cents"
