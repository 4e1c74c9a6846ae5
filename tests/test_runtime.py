"""runtime_info, ISA capping by EDGECNN_ISA, and the public API surface."""

import os
import subprocess
import sys

import pytest

import edgecnn


def run_python(code, **env):
    full_env = dict(os.environ, **env)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full_env, timeout=120)


def test_runtime_info_fields():
    info = edgecnn.runtime_info()
    assert info["isa"] in info["available_isas"]
    assert info["available_isas"][0] == "scalar"
    assert info["num_threads"] >= 1
    assert info["version"] == edgecnn.__version__
    assert info["gemm_kernel"].endswith("__" + info["isa"])


@pytest.mark.parametrize("tier", edgecnn._core.available_isas())
def test_env_caps_isa(tier):
    r = run_python("import edgecnn; print(edgecnn.runtime_info()['isa'])", EDGECNN_ISA=tier)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == tier


def test_env_unknown_isa_is_a_clear_error():
    r = run_python("import edgecnn\ntry:\n    edgecnn.runtime_info()\nexcept ValueError as e:\n    print('ValueError', e)",
                   EDGECNN_ISA="avx9000")
    assert r.returncode == 0, r.stderr
    assert "ValueError" in r.stdout and "avx9000" in r.stdout


def test_import_prints_nothing():
    r = run_python("import edgecnn; edgecnn.runtime_info()")
    assert r.returncode == 0 and r.stdout == "" and r.stderr == ""


def test_error_hierarchy():
    assert issubclass(edgecnn.ModelFormatError, edgecnn.EdgecnnError)
    assert issubclass(edgecnn.ModelFormatError, ValueError)
    assert issubclass(edgecnn.UnsupportedOpError, edgecnn.EdgecnnError)
    assert issubclass(edgecnn.ConversionError, edgecnn.EdgecnnError)
