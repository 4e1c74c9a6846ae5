"""The `edgecnn` command line.

Each subcommand is a pair: a function adding its parser to the subparsers and
a function running it (returning the exit code). Register new ones in COMMANDS.
"""

from __future__ import annotations

import argparse
import sys
from typing import Callable, List, Optional, Sequence

from ._errors import EdgecnnError


def _numbers(kind: Callable, count: Optional[int] = None) -> Callable[[str], list]:
    """An argparse type parsing comma-separated numbers, e.g. "1,3,640,640"."""

    def parse(text: str) -> list:
        try:
            values = [kind(part) for part in text.split(",")]
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected comma-separated {kind.__name__}s, got {text!r}") from None
        if count is not None and len(values) != count:
            raise argparse.ArgumentTypeError(f"expected {count} comma-separated values, got {text!r}")
        return values

    return parse


def _add_convert(subparsers) -> None:
    p = subparsers.add_parser(
        "convert",
        help="convert an ONNX model to .ecnn",
        description="Convert an ONNX model to an .ecnn file (needs: pip install edgecnn[convert]).",
    )
    p.add_argument("model", metavar="IN.onnx", help="the ONNX model")
    p.add_argument("-o", "--output", metavar="OUT.ecnn", required=True, help="the .ecnn file to write")
    p.add_argument("--task", choices=("classify", "segment", "detect", "instance"), help="what the network does")
    p.add_argument("--input-shape", type=_numbers(int), metavar="1,3,H,W", help="the input size to convert at")
    p.add_argument("--labels", metavar="FILE", help="class names, one per line")
    p.add_argument("--mean", type=_numbers(float, 3), metavar="R,G,B", help="per-channel mean on the 0-1 scale")
    p.add_argument("--std", type=_numbers(float, 3), metavar="R,G,B", help="per-channel std on the 0-1 scale")
    p.add_argument("--color", choices=("rgb", "bgr"), help="channel order the network expects (default rgb)")
    p.set_defaults(run=_run_convert)


def _run_convert(args) -> int:
    from .convert import convert

    report = convert(
        args.model,
        args.output,
        task=args.task,
        input_shape=args.input_shape,
        labels=args.labels,
        mean=args.mean,
        std=args.std,
        color=args.color,
    )
    print(report.summary())
    return 0


COMMANDS: List[Callable] = [_add_convert]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="edgecnn", description="Run CNNs on edge CPUs.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in COMMANDS:
        add(subparsers)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (EdgecnnError, ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
