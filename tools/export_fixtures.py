#!/usr/bin/env python3
"""Export the ONNX test fixtures (and optional full-size benchmark models) for edgecnn.

Development-only: needs torch/torchvision/ultralytics/onnx/onnxruntime (see
tools/requirements-dev.txt). The tests themselves only need the committed .onnx
files plus onnxruntime.

    python tools/export_fixtures.py                 # -> tests/fixtures/models/ (reduced width, <= 2 MB each)
    python tools/export_fixtures.py --full          # -> bench/models/ (standard width, gitignored)
    python tools/export_fixtures.py --only resnet18,yolov8n

All models use random (seeded) weights. Every BatchNorm gets random affine
parameters and running statistics (calibrated on a random batch so activations
stay O(1) through the depth, then perturbed), so BN folding is exercised.

torchvision models: torch.onnx.export(..., opset_version=17, dynamo=False), eval, batch 1, static shape.
Ultralytics models: built from the stock yaml with a reduced width multiple and nc=6,
exported with Ultralytics' own exporter (format="onnx", opset=17, simplify=False,
dynamic=False), so the ONNX carries Ultralytics' metadata_props like a real export.
The only post-edit is that the "date" metadata value is pinned so re-exports are
reproducible.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("YOLO_OFFLINE", "1")  # never let Ultralytics reach the network
os.environ.setdefault("YOLO_VERBOSE", "False")

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import onnxruntime as ort  # noqa: E402
import torch  # noqa: E402
import torchvision  # noqa: E402
from torch import nn  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
OPSET = 17
MAX_FIXTURE_BYTES = 2 * 1024 * 1024
PINNED_DATE = "2025-01-01T00:00:00+00:00"  # replaces Ultralytics' export timestamp (reproducibility)

# ----------------------------------------------------------------------------------------------
# Weight randomisation
# ----------------------------------------------------------------------------------------------


def randomize_linear_and_bias(model: nn.Module, seed: int) -> None:
    """Non-zero conv/linear biases (zero biases would be deduplicated by the exporter into Identity
    nodes, which trained models don't have) and variance-preserving Linear weights (torchvision's
    MobileNetV3 head uses N(0, 0.01), which makes the logits vanish)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Linear):
                m.weight.copy_(torch.randn(m.weight.shape, generator=g) / m.in_features**0.5)
            if isinstance(m, (nn.Linear, nn.modules.conv._ConvNd)) and m.bias is not None and m.bias.requires_grad:
                m.bias.copy_((torch.rand(m.bias.shape, generator=g) - 0.5) * 0.2)


def randomize_batchnorm(model: nn.Module, example: torch.Tensor, seed: int) -> None:
    """Give every BatchNorm random gamma/beta and random-but-sane running stats.

    1. gamma ~ U(0.5, 1.5), beta ~ U(-0.25, 0.25)
    2. running stats = statistics of a random calibration batch (only BN layers in train
       mode, cumulative average), so each BN output is ~ N(beta, gamma^2) and nothing
       explodes or vanishes through the depth,
    3. then perturb: mean += 0.1*std*N(0,1), var *= U(0.8, 1.25)
    so the folded scale/shift differ per channel and are far from identity.
    """
    g = torch.Generator().manual_seed(seed)
    bns = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    with torch.no_grad():
        for bn in bns:
            c = bn.num_features
            if bn.affine:
                bn.weight.copy_(torch.rand(c, generator=g) + 0.5)
                bn.bias.copy_((torch.rand(c, generator=g) - 0.5) * 0.5)
            bn.reset_running_stats()
            bn.momentum = None  # cumulative moving average -> exactly the batch stats after 1 pass
        model.eval()
        for bn in bns:
            bn.train()
        model(example)
        model.eval()
        for bn in bns:
            std = bn.running_var.clamp_min(0).sqrt()
            bn.running_mean.add_(0.1 * std * torch.randn(bn.num_features, generator=g))
            bn.running_var.mul_(torch.rand(bn.num_features, generator=g) * 0.45 + 0.8)
            bn.momentum = 0.1


# ----------------------------------------------------------------------------------------------
# torchvision builders
# ----------------------------------------------------------------------------------------------


def build_resnet(layers, widths, num_classes, bottleneck=False):
    """torchvision ResNet with configurable stage widths (the stock class hardcodes 64/128/256/512)."""
    from torchvision.models.resnet import BasicBlock, Bottleneck, ResNet

    block = Bottleneck if bottleneck else BasicBlock

    class NarrowResNet(ResNet):
        def __init__(self):
            nn.Module.__init__(self)
            self._norm_layer = nn.BatchNorm2d
            self.inplanes = widths[0]
            self.dilation = 1
            self.groups = 1
            self.base_width = 64
            self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
            self.bn1 = nn.BatchNorm2d(self.inplanes)
            self.relu = nn.ReLU(inplace=True)
            self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
            self.layer1 = self._make_layer(block, widths[0], layers[0])
            self.layer2 = self._make_layer(block, widths[1], layers[1], stride=2)
            self.layer3 = self._make_layer(block, widths[2], layers[2], stride=2)
            self.layer4 = self._make_layer(block, widths[3], layers[3], stride=2)
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(widths[3] * block.expansion, num_classes)
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    return NarrowResNet()


def build_mobilenet_v3_large(width_mult, num_classes, dilated=False):
    from torchvision.models.mobilenetv3 import MobileNetV3, _mobilenet_v3_conf

    setting, last_channel = _mobilenet_v3_conf("mobilenet_v3_large", width_mult=width_mult, dilated=dilated)
    return MobileNetV3(setting, last_channel, num_classes=num_classes)


def build_efficientnet_b0(width_mult, num_classes):
    from torchvision.models.efficientnet import EfficientNet, _efficientnet_conf

    setting, last_channel = _efficientnet_conf("efficientnet_b0", width_mult=width_mult, depth_mult=1.0)
    return EfficientNet(setting, 0.2, num_classes=num_classes, last_channel=last_channel)


def build_lraspp(width_mult, num_classes):
    from torchvision.models.segmentation.lraspp import _lraspp_mobilenetv3

    # same as torchvision.models.segmentation.lraspp_mobilenet_v3_large (dilated backbone), narrower
    return _lraspp_mobilenetv3(build_mobilenet_v3_large(width_mult, 1000, dilated=True), num_classes)


def build_deeplabv3(width_mult, num_classes, aspp_channels):
    from torchvision.models.segmentation.deeplabv3 import ASPP, _deeplabv3_mobilenetv3

    model = _deeplabv3_mobilenetv3(build_mobilenet_v3_large(width_mult, 1000, dilated=True), num_classes, False)
    if aspp_channels != 256:
        # torchvision's DeepLabHead hardcodes 256 channels; rebuild the identical structure narrower
        in_ch = model.classifier[0].convs[0][0].in_channels
        c = aspp_channels
        model.classifier = nn.Sequential(
            ASPP(in_ch, [12, 24, 36], out_channels=c),
            nn.Conv2d(c, c, 3, padding=1, bias=False),
            nn.BatchNorm2d(c),
            nn.ReLU(),
            nn.Conv2d(c, num_classes, 1),
        )
    return model


# ----------------------------------------------------------------------------------------------
# Model specs
# ----------------------------------------------------------------------------------------------

FIXTURES = [
    # torchvision -------------------------------------------------------------------------------
    dict(name="resnet18", family="torchvision", task="classify", input_hw=(64, 64), seed=1001,
         build=lambda: build_resnet([2, 2, 2, 2], [12, 24, 48, 96], 10),
         settings=dict(arch="resnet18", block="BasicBlock", layers=[2, 2, 2, 2], stage_widths=[12, 24, 48, 96],
                       num_classes=10)),
    dict(name="mobilenet_v2", family="torchvision", task="classify", input_hw=(96, 96), seed=1002,
         build=lambda: torchvision.models.mobilenet_v2(weights=None, width_mult=0.35, num_classes=10),
         settings=dict(arch="mobilenet_v2", width_mult=0.35, num_classes=10)),
    dict(name="mobilenet_v3_large", family="torchvision", task="classify", input_hw=(96, 96), seed=1003,
         build=lambda: build_mobilenet_v3_large(0.25, 10),
         settings=dict(arch="mobilenet_v3_large", width_mult=0.25, num_classes=10)),
    dict(name="efficientnet_b0", family="torchvision", task="classify", input_hw=(96, 96), seed=1004,
         build=lambda: build_efficientnet_b0(0.25, 10),
         settings=dict(arch="efficientnet_b0", width_mult=0.25, depth_mult=1.0, num_classes=10)),
    dict(name="lraspp_mobilenet_v3_large", family="torchvision", task="segment", input_hw=(96, 128), seed=1005,
         build=lambda: build_lraspp(0.25, 6),
         settings=dict(arch="lraspp_mobilenet_v3_large", backbone_width_mult=0.25, backbone_dilated=True,
                       inter_channels=128, num_classes=6)),
    dict(name="deeplabv3_mobilenet_v3_large", family="torchvision", task="segment", input_hw=(96, 128),
         seed=1006, build=lambda: build_deeplabv3(0.25, 6, 32),
         settings=dict(arch="deeplabv3_mobilenet_v3_large", backbone_width_mult=0.25, backbone_dilated=True,
                       aspp_channels=32, aspp_rates=[12, 24, 36], aux_loss=False, num_classes=6)),
    # ultralytics -------------------------------------------------------------------------------
    dict(name="yolov8n", family="ultralytics", task="detect", yaml="yolov8n.yaml", imgsz=192, seed=2001,
         nc=6, scale=[0.33, 0.0625, 1024]),
    dict(name="yolov8n_seg", family="ultralytics", task="instance", yaml="yolov8n-seg.yaml", imgsz=160,
         seed=2002, nc=6, scale=[0.33, 0.0625, 1024]),
    dict(name="yolov8n_cls", family="ultralytics", task="classify", yaml="yolov8n-cls.yaml", imgsz=96,
         seed=2003, nc=6, scale=[0.33, 0.125, 1024]),
    dict(name="yolo11n", family="ultralytics", task="detect", yaml="yolo11n.yaml", imgsz=192, seed=2004,
         nc=6, scale=[0.50, 0.0625, 1024]),
]

FULL = [
    dict(name="resnet18", family="torchvision", task="classify", input_hw=(224, 224), seed=3001,
         build=lambda: torchvision.models.resnet18(weights=None), settings=dict(arch="resnet18", num_classes=1000)),
    dict(name="resnet50", family="torchvision", task="classify", input_hw=(224, 224), seed=3002,
         build=lambda: torchvision.models.resnet50(weights=None), settings=dict(arch="resnet50", num_classes=1000)),
    dict(name="mobilenet_v2", family="torchvision", task="classify", input_hw=(224, 224), seed=3003,
         build=lambda: torchvision.models.mobilenet_v2(weights=None),
         settings=dict(arch="mobilenet_v2", width_mult=1.0, num_classes=1000)),
    dict(name="mobilenet_v3_large", family="torchvision", task="classify", input_hw=(224, 224), seed=3004,
         build=lambda: torchvision.models.mobilenet_v3_large(weights=None),
         settings=dict(arch="mobilenet_v3_large", width_mult=1.0, num_classes=1000)),
    dict(name="efficientnet_b0", family="torchvision", task="classify", input_hw=(224, 224), seed=3005,
         build=lambda: torchvision.models.efficientnet_b0(weights=None),
         settings=dict(arch="efficientnet_b0", width_mult=1.0, depth_mult=1.0, num_classes=1000)),
    dict(name="lraspp_mobilenet_v3_large", family="torchvision", task="segment", input_hw=(520, 520), seed=3006,
         build=lambda: torchvision.models.segmentation.lraspp_mobilenet_v3_large(
             weights=None, weights_backbone=None, num_classes=21),
         settings=dict(arch="lraspp_mobilenet_v3_large", num_classes=21)),
    dict(name="yolov8n", family="ultralytics", task="detect", yaml="yolov8n.yaml", imgsz=640, seed=4001,
         nc=80, scale=None),
    dict(name="yolov8n_seg", family="ultralytics", task="instance", yaml="yolov8n-seg.yaml", imgsz=640,
         seed=4002, nc=80, scale=None),
    dict(name="yolo11n", family="ultralytics", task="detect", yaml="yolo11n.yaml", imgsz=640, seed=4003,
         nc=80, scale=None),
]

# ----------------------------------------------------------------------------------------------
# Exporters
# ----------------------------------------------------------------------------------------------


def export_torchvision(spec, out_path: Path):
    torch.manual_seed(spec["seed"])
    model = spec["build"]().eval()
    h, w = spec["input_hw"]
    g = torch.Generator().manual_seed(spec["seed"] + 1)
    randomize_linear_and_bias(model, spec["seed"] + 3)
    randomize_batchnorm(model, torch.randn(8, 3, h, w, generator=g), spec["seed"] + 2)
    model.eval()
    x = torch.randn(1, 3, h, w, generator=g)
    out_names = ["logits"] if spec["task"] == "classify" else ["out"]
    torch.onnx.export(model, (x,), str(out_path), opset_version=OPSET, dynamo=False,
                      input_names=["input"], output_names=out_names)
    with torch.no_grad():
        ref = model(x)
    ref = [ref["out"] if isinstance(ref, dict) else ref]
    settings = dict(spec["settings"])
    settings.update(exporter="torch.onnx.export (TorchScript, dynamo=False)", opset=OPSET, seed=spec["seed"],
                    batch=1, dynamic=False, do_constant_folding=True, input_hw=list(spec["input_hw"]))
    return dict(x=x.numpy(), ref=[r.numpy() for r in ref], settings=settings,
                num_params=sum(p.numel() for p in model.parameters()),
                input_range="normal(0,1) (ImageNet-normalised NCHW image)")


def _ultralytics_yaml(spec, workdir: Path) -> Path:
    """Write a copy of the stock yaml with our nc / scale into workdir under the stock file name
    (so Ultralytics infers task and scale exactly as for the real model)."""
    from ultralytics.nn.tasks import yaml_model_load
    from ultralytics.utils import YAML

    d = yaml_model_load(spec["yaml"])
    scale = d.pop("scale")
    d.pop("yaml_file", None)
    d["nc"] = spec["nc"]
    if spec["scale"] is not None:
        d["scales"] = {scale: list(spec["scale"])}
    path = workdir / spec["yaml"]
    YAML.save(path, d)
    return path


def export_ultralytics(spec, out_path: Path):
    import ultralytics
    from ultralytics import YOLO, __version__ as ul_version
    from ultralytics.utils import YAML

    with tempfile.TemporaryDirectory(prefix="edgecnn_yolo_") as td:
        td = Path(td)
        yaml_path = _ultralytics_yaml(spec, td)
        torch.manual_seed(spec["seed"])
        yolo = YOLO(str(yaml_path), verbose=False)
        net = yolo.model
        # real exports carry dataset class names; use COCO's (shipped inside the ultralytics package)
        coco = YAML.load(Path(ultralytics.__file__).parent / "cfg/datasets/coco.yaml")["names"]
        net.names = {i: coco[i % len(coco)] for i in range(spec["nc"])}
        s = spec["imgsz"]
        g = torch.Generator().manual_seed(spec["seed"] + 1)
        head = net.model[-1]
        cls_bias = None
        randomize_linear_and_bias(net, spec["seed"] + 3)
        if hasattr(head, "cv3") and hasattr(head, "nc"):
            # Detect.bias_init() sets class-logit biases to log(5/nc/(640/s)^2) (~ -10): every score ~1e-5.
            # Use a spread instead so score thresholds in tests actually keep some boxes.
            with torch.no_grad():
                for seq in head.cv3:
                    b = seq[-1].bias
                    b.copy_(torch.randn(b.shape, generator=g) * 0.75 - 2.0)
            cls_bias = "normal(-2.0, 0.75)"
        randomize_batchnorm(net, torch.rand(8, 3, s, s, generator=g), spec["seed"] + 2)
        net.eval()
        x = torch.rand(1, 3, s, s, generator=g)
        with torch.no_grad():
            ref = net(x)
        if spec["task"] == "classify":
            ref = [ref[0] if isinstance(ref, (tuple, list)) else ref]
        elif spec["task"] == "instance":
            ref = [ref[0][0], ref[0][1]] if isinstance(ref[0], (tuple, list)) else [ref[0], ref[1][-1]]
        else:
            ref = [ref[0]]
        num_params = sum(p.numel() for p in net.parameters())
        with contextlib.chdir(td):  # the exporter writes <yaml stem>.onnx relative to the cwd
            f = yolo.export(format="onnx", opset=OPSET, imgsz=s, simplify=False, dynamic=False, half=False,
                            batch=1, device="cpu", nms=False)
            m = onnx.load(str(Path(f).resolve()))
        for p in m.metadata_props:
            if p.key == "date":
                p.value = PINNED_DATE
        onnx.save(m, str(out_path))
    settings = dict(
        exporter=f"ultralytics {ul_version} YOLO.export(format='onnx') -> torch.onnx.export (TorchScript, dynamo=False)",
        opset=OPSET, seed=spec["seed"], batch=1, dynamic=False, simplify=False, half=False, nms=False,
        imgsz=s, base_yaml=spec["yaml"], nc=spec["nc"],
        scale=dict(zip(["depth_multiple", "width_multiple", "max_channels"], spec["scale"])) if spec["scale"]
        else "stock 'n'",
        bn_fused_by_exporter=True, metadata_date_pinned=PINNED_DATE,
    )
    if cls_bias:
        settings["detect_cls_bias"] = cls_bias
    return dict(x=x.numpy(), ref=[r.numpy() for r in ref], settings=settings, num_params=num_params,
                input_range="uniform[0,1] (RGB/255 NCHW image, as Ultralytics preprocesses)")


# ----------------------------------------------------------------------------------------------
# Verification
# ----------------------------------------------------------------------------------------------


def verify(path: Path, info: dict) -> dict:
    m = onnx.load(str(path))
    onnx.checker.check_model(m)
    ops = sorted({n.op_type for n in m.graph.node})
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    inp = sess.get_inputs()
    assert len(inp) == 1, inp
    x = info["x"]
    outs = sess.run(None, {inp[0].name: x})
    problems = []
    max_diff = 0.0
    for o, r in zip(outs, info["ref"]):
        if o.shape != r.shape:
            problems.append(f"shape ort {o.shape} != torch {r.shape}")
            continue
        max_diff = max(max_diff, float(np.abs(o - r).max() / (np.abs(r).max() + 1e-6)))
    for meta, o in zip(sess.get_outputs(), outs):
        amax = float(np.abs(o).max())
        if not np.isfinite(o).all():
            problems.append(f"{meta.name}: non-finite")
        if not (0.1 <= amax <= 1e3):
            problems.append(f"{meta.name}: max|y|={amax:.3g} outside [0.1, 1e3]")
        if float(o.std()) < 1e-6:
            problems.append(f"{meta.name}: constant output")
    if max_diff > 1e-3:
        problems.append(f"torch vs ort relative max diff {max_diff:.2e}")
    return dict(
        ops=ops,
        input=dict(name=inp[0].name, shape=list(inp[0].shape), dtype="float32", layout="NCHW"),
        outputs=[dict(name=o.name, shape=list(o.shape), dtype="float32") for o in sess.get_outputs()],
        out_ranges=[(float(o.min()), float(o.max())) for o in outs],
        metadata_props={p.key: p.value for p in m.metadata_props},
        nodes=len(m.graph.node),
        max_diff=max_diff,
        problems=problems,
    )


# ----------------------------------------------------------------------------------------------


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=None,
                    help="output dir (default tests/fixtures/models, or bench/models with --full)")
    ap.add_argument("--full", action="store_true", help="export full-size benchmark models instead of fixtures")
    ap.add_argument("--only", default="", help="comma-separated subset of model names")
    args = ap.parse_args(argv)

    specs = FULL if args.full else FIXTURES
    out_dir = args.out or (REPO / ("bench/models" if args.full else "tests/fixtures/models"))
    out_dir = out_dir.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    only = {s for s in args.only.split(",") if s}
    unknown = only - {s["name"] for s in specs}
    if unknown:
        ap.error(f"unknown model(s): {sorted(unknown)}; known: {[s['name'] for s in specs]}")

    torch.set_num_threads(max(1, os.cpu_count() or 1))
    import ultralytics

    manifest_path = out_dir / "manifest.json"
    entries = {}
    if only and manifest_path.exists():  # partial re-export: keep the other entries
        for e in json.loads(manifest_path.read_text())["models"]:
            entries[e["name"]] = e

    rows, failed = [], []
    for spec in specs:
        if only and spec["name"] not in only:
            continue
        path = out_dir / f"{spec['name']}.onnx"
        print(f"[export] {spec['name']} ...", flush=True)
        info = (export_torchvision if spec["family"] == "torchvision" else export_ultralytics)(spec, path)
        v = verify(path, info)
        size = path.stat().st_size
        if not args.full and size > MAX_FIXTURE_BYTES:
            v["problems"].append(f"size {size} > {MAX_FIXTURE_BYTES}")
        entry = dict(
            name=spec["name"],
            file=path.name,
            family=spec["family"],
            task=spec["task"],
            input_name=v["input"]["name"],
            input_shape=v["input"]["shape"],
            input_dtype="float32",
            input_layout="NCHW",
            input_range=info["input_range"],
            outputs=[dict(name=o["name"], shape=o["shape"], dtype=o["dtype"]) for o in v["outputs"]],
            size_bytes=size,
            sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
            num_params=info["num_params"],
            num_nodes=v["nodes"],
            op_types=v["ops"],
            export=info["settings"],
        )
        if spec["family"] == "ultralytics":
            entry["ultralytics_task"] = "segment" if spec["task"] == "instance" else spec["task"]
            entry["metadata_props"] = v["metadata_props"]
        entries[spec["name"]] = entry
        rows.append((spec["name"], entry, v))
        if v["problems"]:
            failed.append((spec["name"], v["problems"]))
        print(f"         ops: {' '.join(v['ops'])}", flush=True)

    order = [s["name"] for s in specs]
    manifest = dict(
        generator="tools/export_fixtures.py" + (" --full" if args.full else ""),
        note="Random seeded weights; BN params/statistics randomised. task: classify | segment (semantic) | "
             "detect | instance (Ultralytics calls it 'segment').",
        versions=dict(torch=torch.__version__, torchvision=torchvision.__version__,
                      ultralytics=ultralytics.__version__, onnx=onnx.__version__, onnxruntime=ort.__version__),
        models=[entries[n] for n in order if n in entries],
    )
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")

    print()
    hdr = f"{'model':30} {'task':9} {'input':18} {'outputs':34} {'bytes':>10} {'nodes':>5} {'|y|max':>8} {'diff':>8}"
    print(hdr)
    print("-" * len(hdr))
    for name, e, v in rows:
        outs = ", ".join("x".join(map(str, o["shape"])) for o in e["outputs"])
        amax = max(max(abs(a), abs(b)) for a, b in v["out_ranges"])
        print(f"{name:30} {e['task']:9} {'x'.join(map(str, e['input_shape'])):18} {outs:34} "
              f"{e['size_bytes']:>10} {v['nodes']:>5} {amax:>8.3g} {v['max_diff']:>8.1e}")
    print(f"\nwrote {len(rows)} model(s) + {manifest_path}")
    if failed:
        for name, probs in failed:
            print(f"PROBLEM {name}: {'; '.join(probs)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
