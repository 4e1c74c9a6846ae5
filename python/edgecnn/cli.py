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


def _add_run(subparsers) -> None:
    p = subparsers.add_parser(
        "run",
        help="run a task on an image, a folder of images or a video",
        description="Run a task and write annotated images (--save) and/or JSON lines (--json).",
    )
    p.add_argument("task", help="classify, segment, detect or instance (or several, comma-separated)")
    p.add_argument("source", help="an image, a folder of images, or a video file")
    p.add_argument("--model", metavar="M.ecnn", help="the model (default: the embedded default model)")
    p.add_argument("--save", metavar="DIR", help="write annotated frames (PNG) into DIR")
    p.add_argument("--json", action="store_true", help="print one JSON line per frame")
    p.add_argument("--conf", type=float, default=0.25, help="detection score threshold (default 0.25)")
    p.add_argument("--iou", type=float, default=0.45, help="NMS IoU threshold (default 0.45)")
    p.add_argument("--max-det", type=int, default=300, help="most detections per frame (default 300)")
    p.add_argument("--top-k", type=int, default=5, help="classes reported by classify (default 5)")
    p.add_argument("--agnostic", action="store_true", help="class-agnostic NMS")
    p.add_argument("--threads", type=int, help="inference threads (default: all cores)")
    p.set_defaults(run=_run_run)


def _progress(done: int, total: Optional[int]) -> None:
    if total:
        width = 30
        filled = width * done // total
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    else:
        sys.stderr.write(f"\r{done} frames")
    sys.stderr.flush()


def _run_run(args) -> int:
    import json
    import os

    from . import media
    from ._png import write_png
    from .api import run
    from .draw import draw
    from .model import load

    tasks = [t.strip() for t in args.task.split(",") if t.strip()]
    if not args.save and not args.json:
        raise ValueError("nothing to write: give --save DIR and/or --json")
    model = load(args.model, num_threads=args.threads) if args.model else None
    kind, paths = media.list_source(args.source)
    frames = media.read_video(paths[0]) if kind == "video" else (media.read_image(p) for p in paths)
    total = media.video_frame_count(paths[0]) if kind == "video" else len(paths)
    show_progress = kind == "video" or len(paths) > 1  # on stderr, so --json output stays clean
    if args.save:
        os.makedirs(args.save, exist_ok=True)
    options = dict(conf=args.conf, iou=args.iou, max_det=args.max_det, top_k=args.top_k, agnostic=args.agnostic)
    done = 0
    for frame in frames:
        result = run(tasks if len(tasks) > 1 else tasks[0], frame.image, model=model, color=frame.color,
                     **options)
        if args.json:
            payload = ({t: r.to_dict() for t, r in result.items()} if isinstance(result, dict)
                       else result.to_dict())
            print(json.dumps({"source": frame.source, "frame": frame.index, "result": payload}))
        if args.save:
            stem = os.path.splitext(os.path.basename(frame.source))[0]
            name = f"{stem}_{frame.index:06d}.png" if kind == "video" else f"{stem}.png"
            write_png(os.path.join(args.save, name), draw(frame.image, result, color=frame.color),
                      color=frame.color)
        done += 1
        if show_progress:
            _progress(done, total)
    if show_progress:
        sys.stderr.write("\n")
    if args.save and not args.json:
        print(f"wrote {done} annotated frame(s) to {args.save}")
    return 0


def _add_demo(subparsers) -> None:
    p = subparsers.add_parser(
        "demo",
        help="all four tasks of the default model on a generated scene, in one pass",
        description="Generate a scene, run classify, segment, detect and instance on it in one network pass "
                    "with the embedded default model, print a summary, and write a 2x2 panel of the results.",
    )
    p.add_argument("--out", default="demo.png", help="the panel to write (default demo.png)")
    p.add_argument("--seed", type=int, default=7, help="scene seed (default 7)")
    p.add_argument("--size", type=_numbers(int, 2), default=[360, 480], metavar="H,W",
                   help="scene size (default 360,480)")
    p.add_argument("--model", metavar="M.ecnn", help="a multi-task model (default: the embedded one)")
    p.set_defaults(run=_run_demo)


def _run_demo(args) -> int:
    import time

    import numpy as np

    from ._png import write_png
    from .api import run
    from .draw import draw
    from .scenes import SHAPE_CLASSES, generate_scene

    scene = generate_scene(args.seed, height=args.size[0], width=args.size[1])
    tasks = ["classify", "segment", "detect", "instance"]
    run(tasks, scene.image, model=args.model, color="rgb")  # warm-up: loads the model
    start = time.perf_counter()
    results = run(tasks, scene.image, model=args.model, color="rgb")
    elapsed = time.perf_counter() - start
    h, w = scene.image.shape[:2]
    truth = ", ".join(sorted(SHAPE_CLASSES[c] for c in scene.classes))
    print(f"scene {args.seed}: {w}x{h}, {len(scene.classes)} objects ({truth})")
    print(f"all four tasks in one pass: {elapsed * 1e3:.1f} ms")
    cls, seg, det, inst = (results[t] for t in tasks)
    print(f"classify: {', '.join(f'{label} {score:.2f}' for label, score, _ in list(cls)[:3])} "
          f"(truth: {SHAPE_CLASSES[scene.label]})")
    print(f"segment:  {', '.join(f'{label} {n / seg.mask.size:.0%}' for label, _, n in seg)}")
    print(f"detect:   {len(det)} objects: {', '.join(f'{label} {score:.2f}' for label, score, _ in det)}")
    print(f"instance: {len(inst)} masks, {sum(int(m.sum()) for m in inst.masks)} pixels")
    panels = [draw(scene.image, results[t], color="rgb") for t in tasks]
    gap = np.full((h, 4, 3), 255, np.uint8)
    top = np.concatenate([panels[0], gap, panels[1]], axis=1)
    bottom = np.concatenate([panels[2], gap, panels[3]], axis=1)
    panel = np.concatenate([top, np.full((4, top.shape[1], 3), 255, np.uint8), bottom], axis=0)
    write_png(args.out, panel, color="rgb")
    print(f"wrote {args.out} (top: classify, segment; bottom: detect, instance)")
    return 0


def _add_bench(subparsers) -> None:
    from . import bench

    p = subparsers.add_parser("bench", help="time models against onnxruntime and OpenVINO",
                              description=bench.__doc__.split("\n\n")[0])
    bench.add_arguments(p)
    p.set_defaults(run=bench.run)


COMMANDS: List[Callable] = [_add_convert, _add_run, _add_demo, _add_bench]


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
