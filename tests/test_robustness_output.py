"""The library never prints and never ends the process: no printf / std::cout /
std::cerr / abort / exit in the core, no print / sys.exit / stdout writes in the
package (command-line tools excepted), and importing, loading and running
(errors included) writes nothing to stdout or stderr."""

import io
import re
import subprocess
import sys
import textwrap
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CSRC = ROOT / "csrc"
PACKAGE = ROOT / "python" / "edgecnn"
# Command-line programs inside the package: printing is their job.
TOOLS = {"cli.py", "bench.py", "__main__.py"}

CPP_FORBIDDEN = re.compile(
    r"\b(?:printf|fprintf|vprintf|vfprintf|puts|fputs|putchar|perror|std::cout|std::cerr|std::clog|cout|cerr|clog"
    r"|abort|exit|_exit|_Exit|quick_exit|std::terminate|std::abort|std::exit|assert)\b(?!\.h)")
CPP_COMMENT_OR_STRING = re.compile(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)


def cpp_sources():
    return sorted(p for p in CSRC.rglob("*") if p.suffix in (".cpp", ".h", ".inc", ".cc", ".hpp"))


def test_core_never_prints_or_exits():
    hits = []
    for path in cpp_sources():
        code = CPP_COMMENT_OR_STRING.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), path.read_text())
        for n, line in enumerate(code.splitlines(), 1):
            if line.lstrip().startswith("#include"):
                continue
            for m in CPP_FORBIDDEN.finditer(line):
                hits.append(f"{path.relative_to(ROOT)}:{n}: {m.group()}")
    assert not hits, "the core must report by exceptions, never print or end the process:\n" + "\n".join(hits)


def python_calls(path: Path):
    """(line, dotted name) of every call in the file, from its tokens (comments and
    strings, docstrings included, do not count)."""
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(path.read_text()).readline)
              if t.type in (tokenize.NAME, tokenize.OP)]
    calls = []
    for i, t in enumerate(tokens):
        if t.type != tokenize.NAME or i + 1 >= len(tokens) or tokens[i + 1].string != "(":
            continue
        if i > 0 and tokens[i - 1].string in ("def", "class"):
            continue  # a definition (a method named input), not a call
        name, j = t.string, i
        while j >= 2 and tokens[j - 1].string == "." and tokens[j - 2].type == tokenize.NAME:
            name, j = tokens[j - 2].string + "." + name, j - 2
        calls.append((t.start[0], name))
    return calls


PY_FORBIDDEN = re.compile(r"^(?:print|exit|quit|sys\.exit|os\._exit|os\.abort|sys\.stdout\.write|sys\.stderr\.write"
                          r"|sys\.__stdout__\.write|sys\.__stderr__\.write|pprint|pprint\.pprint|traceback\.print_exc"
                          r"|breakpoint|input)$")


def test_package_never_prints_or_exits():
    hits = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name in TOOLS:
            continue
        for line, name in python_calls(path):
            if PY_FORBIDDEN.match(name):
                hits.append(f"{path.relative_to(ROOT)}:{line}: {name}(")
    assert not hits, "the package must raise or log, never print or exit:\n" + "\n".join(hits)


def test_the_checks_catch_what_they_look_for(tmp_path):
    cpp = "int f() { std::cerr << 1; // printf(\n  const char* s = \"exit(\"; abort(); }\n"
    code = CPP_COMMENT_OR_STRING.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), cpp)
    assert [m.group() for m in CPP_FORBIDDEN.finditer(code)] == ["std::cerr", "abort"]
    py = tmp_path / "m.py"
    py.write_text('"""print(x)"""\n# print(1)\nx = "sys.exit(1)"\nprint (2)\nsys.exit(3)\nself.print(4)\n'
                  'def input(self):\n    pass\n')
    assert [n for _, n in python_calls(py) if PY_FORBIDDEN.match(n)] == ["print", "sys.exit"]


SCRIPT = textwrap.dedent("""
    import sys
    sys.path.insert(0, {tests!r})
    import numpy as np
    import edgecnn
    from robustness_models import tiny_models

    frame = np.random.default_rng(0).integers(0, 256, (50, 70, 3), dtype=np.uint8)
    for task, data in tiny_models().items():
        path = {tmp!r} + "/" + task + ".ecnn"
        open(path, "wb").write(data)
        for source in (data, path):
            model = edgecnn.load(source)
            result = edgecnn.run(task, frame, model=model)
            result.to_dict()
            repr(result)
        edgecnn.run(task, [frame, frame[::2]], model=path, color="rgb")
        model.forward(np.full(model.input_shape, np.nan))
        model.forward(np.full(model.input_shape, 1e300))
        model.profile(runs=1)
    edgecnn.draw(frame, result)
    edgecnn.runtime_info()
    try:
        from edgecnn.models import DEFAULT_MODEL_PATH
    except ImportError:
        DEFAULT_MODEL_PATH = None
    if DEFAULT_MODEL_PATH is not None:
        edgecnn.run(["classify", "segment", "detect", "instance"], frame)
    # Errors are raised, not printed.
    for bad in (b"", b"ECNN" * 20, tiny_models()["detect"][:-7]):
        try:
            edgecnn.load(bad)
        except edgecnn.EdgecnnError:
            pass
    for call in (lambda: edgecnn.run("pose", frame, model=model),
                 lambda: edgecnn.run("detect", frame.astype(float), model=model),
                 lambda: model.forward(np.zeros((1, 2))),
                 lambda: edgecnn.run("detect", np.broadcast_to(frame[:1, :1], (30000, 30000, 3)), model=model)):
        try:
            call()
        except (ValueError, TypeError):
            pass
""")


def test_import_load_run_write_nothing(tmp_path):
    script = SCRIPT.format(tests=str(Path(__file__).parent), tmp=str(tmp_path))
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    assert r.stderr == ""
