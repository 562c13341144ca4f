"""The ASR scripts end to end on the bundled AN4 sample: train, infer, manifest building, LibriSpeech prep."""

import importlib
import json
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf

from nemo_asr.parts.manifest import read_manifest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
EXAMPLES = os.path.join(ROOT, "examples", "asr")
SCRIPTS = os.path.join(ROOT, "scripts")
AN4 = os.path.join(ROOT, "tests", "data", "an4")
QUARTZNET_AN4 = os.path.join(EXAMPLES, "configs", "quartznet_an4.yaml")
WAVS = ["an46-mmap-b.wav", "an298-fsaf2-b.wav", "an357-mscg2-b.wav"]


def run_script(*args, cwd):
    """Run a Python script; returns its combined output, failing the test with it on a non-zero exit."""
    done = subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=300)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    return output


@pytest.fixture
def scripts(monkeypatch):
    """The data scripts imported as modules (``scripts/`` on sys.path)."""
    monkeypatch.syspath_prepend(SCRIPTS)
    return importlib.import_module("build_manifest"), importlib.import_module("get_librispeech_data")


def copy_an4(folder, names=WAVS):
    os.makedirs(folder, exist_ok=True)
    for name in names:
        shutil.copy(os.path.join(AN4, "wav", name), folder)
    return [os.path.join(folder, name) for name in names]


def read_lines(path):
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


# ---------------------------------------------------------------- training and inference scripts


@pytest.mark.slow
def test_train_three_steps_then_infer_from_the_checkpoints(tmp_path):
    test_manifest, train_manifest = (os.path.join(AN4, f"{s}_manifest.json") for s in ("test", "train"))
    small_manifest = tmp_path / "dev_small.json"  # a second eval set: 3 test utterances
    small_manifest.write_text("".join(json.dumps({**line, "audio_filepath": os.path.join(AN4, line["audio_filepath"])})
                                      + "\n" for line in read_lines(test_manifest)[:3]))
    run_script(os.path.join(EXAMPLES, "jasper.py"), "--model_config", QUARTZNET_AN4, "--max_steps", "3",
               "--batch_size", "8", "--train_dataset", train_manifest, "--eval_datasets", test_manifest,
               str(small_manifest), "--checkpoint_save_freq", "2", "--eval_freq", "100", "--work_dir", str(tmp_path),
               "--exp_name", "qn", "--random_seed", "0", cwd=tmp_path)
    log_dir = tmp_path / "qn"
    checkpoints = sorted(os.listdir(log_dir / "checkpoints"))
    for module in ("JasperEncoder", "JasperDecoderForCTC", "trainer"):
        assert f"{module}-STEP-2.pt" in checkpoints and f"{module}-STEP-3.pt" in checkpoints, checkpoints
    assert {"jasper.py", "quartznet_an4.yaml"} <= set(os.listdir(log_dir))
    log = (log_dir / "log_globalrank-0.txt").read_text()
    assert "WER_test_manifest" in log and "WER_dev_small" in log  # one eval DAG per manifest

    lm = tmp_path / "lm.arpa"
    run_script(os.path.join(ROOT, "scripts", "build_lm.py"), "--manifest", train_manifest, "--order", "2",
               "--out", str(lm), cwd=tmp_path)
    output = run_script(os.path.join(EXAMPLES, "jasper_infer.py"), "--model_config", QUARTZNET_AN4,
                        "--eval_datasets", test_manifest, "--load_dir", str(log_dir / "checkpoints"),
                        "--batch_size", "8", "--lm_path", str(lm), "--beam_width", "8", cwd=tmp_path)
    assert "JasperEncoder-STEP-3.pt" in output  # the newest step was restored
    assert re.search(r"test_manifest: greedy WER \d+\.\d\d%, beam WER \d+\.\d\d% over 10 utterances",
                     output), output[-2000:]
    assert output.count("reference:") == 5 and output.count("beam:") == 5
    done = subprocess.run([sys.executable, os.path.join(EXAMPLES, "jasper_infer.py"), "--model_config",
                           QUARTZNET_AN4, "--load_dir", str(log_dir / "checkpoints"), "--lm_path", "missing.binary"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "--lm_path missing.binary is not a file" in done.stderr


def test_training_script_needs_a_length(tmp_path):
    done = subprocess.run([sys.executable, os.path.join(EXAMPLES, "quartznet.py")], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "give --num_epochs or --max_steps" in done.stderr


# ---------------------------------------------------------------- build_manifest.py


def test_build_manifest_from_transcripts_file_with_relative_paths(tmp_path, scripts):
    build_manifest, _ = scripts
    wavs = copy_an4(tmp_path / "audio" / "sub")
    (tmp_path / "transcripts.txt").write_text(
        "an46-mmap-b STOP\n\nan298-fsaf2-b  repeat   please\nan357-mscg2-b yes\nnot-in-folder no\n")
    output = tmp_path / "out" / "manifest.json"
    build_manifest.main(["--audio_dir", str(tmp_path / "audio"), "--transcripts", str(tmp_path / "transcripts.txt"),
                         "--output", str(output), "--relative"])
    lines = read_lines(output)
    assert [line["text"] for line in lines] == ["repeat please", "yes", "STOP"]  # sorted by path
    for line in lines:
        assert not os.path.isabs(line["audio_filepath"])
        path = os.path.normpath(os.path.join(output.parent, line["audio_filepath"]))
        assert path in wavs and line["duration"] == pytest.approx(sf.info(path).duration, abs=1e-6)
    entries = read_manifest(str(output))  # the data layer reads it
    assert [e.audio_filepath for e in entries] == sorted(wavs)
    assert not [name for name in os.listdir(output.parent) if name != "manifest.json"]  # no temporary left


def test_build_manifest_from_files_beside_the_audio(tmp_path, scripts):
    build_manifest, _ = scripts
    wavs = copy_an4(tmp_path)
    for wav, (extension, text) in zip(wavs, [(".txt", "stop\n"), (".lab", "repeat"), (".txt", " yes ")]):
        open(wav[:-4] + extension, "w").write(text)
    written, skipped = build_manifest.build_manifest(str(tmp_path), str(tmp_path / "m.json"))
    lines = read_lines(tmp_path / "m.json")
    assert written == 3 and not skipped
    assert {line["text"] for line in lines} == {"stop", "repeat", "yes"}
    assert all(os.path.isabs(line["audio_filepath"]) for line in lines)
    assert lines[0]["duration"] == pytest.approx(sf.info(lines[0]["audio_filepath"]).duration, abs=1e-6)


def test_build_manifest_names_bad_input_or_skips_it(tmp_path, scripts, capsys):
    build_manifest, _ = scripts
    copy_an4(tmp_path / "audio")
    transcripts = tmp_path / "t.txt"
    transcripts.write_text("an46-mmap-b stop\nan298-fsaf2-b\n")
    output = tmp_path / "m.json"
    output.write_text("previous\n")
    args = ["--audio_dir", str(tmp_path / "audio"), "--transcripts", str(transcripts), "--output", str(output)]
    with pytest.raises(SystemExit, match=re.escape(f"{transcripts}:2: no text after utterance id 'an298-fsaf2-b'")):
        build_manifest.main(args)
    assert output.read_text() == "previous\n"  # left as it was

    build_manifest.main(args + ["--skip_errors"])
    assert [line["text"] for line in read_lines(output)] == ["stop"]
    assert "skipped 3 entries" in capsys.readouterr().err  # the empty line and two wavs without text

    (tmp_path / "audio" / "an46-mmap-b.txt").write_text("stop")
    with pytest.raises(build_manifest.ManifestBuildError, match="an298-fsaf2-b.wav: no transcript"):
        build_manifest.build_manifest(str(tmp_path / "audio"), str(output))


# ---------------------------------------------------------------- get_librispeech_data.py


def fake_librispeech(root):
    """A LibriSpeech-like tree: speaker/chapter folders, flac files (one at 8 kHz), ``*.trans.txt``."""
    source = root / "LibriSpeech" / "dev-clean"
    utterances = {"19-198-0000": (WAVS[0], 16000, "STOP"), "19-198-0001": (WAVS[1], 16000, "REPEAT"),
                  "26-495-0000": (WAVS[2], 8000, "YES IT'S FINE")}
    for utt_id, (wav, rate, _) in utterances.items():
        speaker, chapter, _ = utt_id.split("-")
        folder = source / speaker / chapter
        folder.mkdir(parents=True, exist_ok=True)
        samples, _ = sf.read(os.path.join(AN4, "wav", wav), dtype="float32")
        sf.write(folder / f"{utt_id}.flac", samples[:: 16000 // rate], rate)
        with open(folder / f"{speaker}-{chapter}.trans.txt", "a") as handle:
            handle.write(f"{utt_id} {utterances[utt_id][2]}\n")
    return source, {utt_id: len(sf.read(os.path.join(AN4, "wav", wav))[0]) / 16000
                    for utt_id, (wav, _, _) in utterances.items()}


def test_librispeech_conversion_and_manifest_on_local_files(tmp_path, scripts):
    _, librispeech = scripts
    source, durations = fake_librispeech(tmp_path)
    librispeech.main(["--data_root", str(tmp_path), "--data_set", "dev_clean", "--skip_download",
                      "--num_workers", "1"])
    lines = read_lines(tmp_path / "dev_clean.json")
    assert [os.path.basename(line["audio_filepath"]) for line in lines] == [f"{u}.wav" for u in sorted(durations)]
    assert [line["text"] for line in lines] == ["stop", "repeat", "yes it's fine"]
    for line in lines:
        utt_id = os.path.basename(line["audio_filepath"])[:-4]
        info = sf.info(line["audio_filepath"])
        assert os.path.dirname(line["audio_filepath"]) == str(source) + "-processed"
        assert (info.samplerate, info.channels, info.subtype) == (16000, 1, "PCM_16")
        assert line["duration"] == pytest.approx(durations[utt_id], abs=1e-3)
    resampled, _ = sf.read(lines[2]["audio_filepath"], dtype="float32")
    assert np.abs(resampled).max() > 0.01  # real audio came through the 8 kHz -> 16 kHz resampling
    assert librispeech.convert_flac_to_wav(str(source), str(source) + "-processed") == 0  # already converted


def test_librispeech_names_bad_transcripts_and_data_sets(tmp_path, scripts):
    _, librispeech = scripts
    source, _ = fake_librispeech(tmp_path)
    trans = source / "19" / "198" / "19-198.trans.txt"
    trans.write_text("19-198-0000 STOP\n19-198-0001\n")
    librispeech.convert_flac_to_wav(str(source), str(tmp_path / "wav"))
    with pytest.raises(ValueError, match=re.escape(f"{trans}:2: no text after utterance id '19-198-0001'")):
        librispeech.librispeech_manifest(str(source), str(tmp_path / "wav"), str(tmp_path / "m.json"))
    assert not (tmp_path / "m.json").exists()
    assert len(librispeech.parse_data_sets("ALL")) == 7
    assert librispeech.parse_data_sets("dev_clean, train_clean_100") == ["dev_clean", "train_clean_100"]
    with pytest.raises(ValueError, match="unknown data set"):
        librispeech.parse_data_sets("dev_clean,train_clean_1000")
