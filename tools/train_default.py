#!/usr/bin/env python3
"""Trains edgecnn's embedded default model on procedural scenes and ships it.

One small CNN with a shared backbone and four heads (classify, segment,
detect, instance), trained from scratch on edgecnn.scenes, exported to ONNX,
checked against onnxruntime, converted with edgecnn.convert and checked
again. PyTorch is needed here only (the development venv), never at run time.

    PYTHONPATH=python .venv-dev/bin/python tools/train_default.py

writes python/edgecnn/models/default.ecnn (and build/default_model/*.onnx).
See docs/default_model.md for the recorded run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from multiprocessing import Pool

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))

from edgecnn import _core  # noqa: E402
from edgecnn.scenes import NUM_CLASSES, SEGMENT_CLASSES, SHAPE_CLASSES, generate_scene  # noqa: E402

INPUT = 160  # network input side (square); frames are letterboxed to it
STRIDES = (8, 16, 32)
NUM_PROTOS = 32
PROTO_STRIDE = 4
MAX_DIST = 8.0  # box side distances are sigmoid(x) * MAX_DIST * stride
# Which detection level serves an object, by the longer side of its box (input pixels); overlapping.
LEVEL_RANGES = ((0.0, 56.0), (40.0, 112.0), (80.0, 1e9))
CENTER_RADIUS = 1.5  # positives: cells whose centre is within this many strides of the box centre
MAX_OBJ = 8
IGNORE = 255
PAD_VALUE = 114.0
CACHE_VERSION = 1


# ---------------------------------------------------------------- data

def letterbox_sample(seed: int):
    """A scene at network input size: (image uint8 3xSxS, instance map SxS, boxes, classes, label)."""
    sc = generate_scene(seed)
    x, (sx, sy, px, py) = _core.preprocess(np.ascontiguousarray(sc.image), INPUT, INPUT, True, PAD_VALUE, False,
                                           (0.0, 0.0, 0.0), (1.0, 1.0, 1.0))
    img = np.clip(np.rint(x[0] * 255.0), 0, 255).astype(np.uint8)
    # Nearest sample of the instance map at each input pixel centre; padding is IGNORE.
    h, w = sc.height, sc.width
    fx = np.floor((np.arange(INPUT) + 0.5 - px) / sx).astype(np.int64)
    fy = np.floor((np.arange(INPUT) + 0.5 - py) / sy).astype(np.int64)
    vx, vy = (fx >= 0) & (fx < w), (fy >= 0) & (fy < h)
    ids = sc.instance_map()[np.clip(fy, 0, h - 1)][:, np.clip(fx, 0, w - 1)]
    inst = np.where(vy[:, None] & vx[None, :], ids, IGNORE).astype(np.uint8)
    n = sc.num_objects
    boxes = np.zeros((MAX_OBJ, 4), np.float32)
    classes = np.full(MAX_OBJ, -1, np.int64)
    b = sc.boxes.astype(np.float64)
    boxes[:n] = np.stack([b[:, 0] * sx + px, b[:, 1] * sy + py, b[:, 2] * sx + px, b[:, 3] * sy + py], 1)
    classes[:n] = sc.classes
    return img, inst, boxes, classes, sc.label


def build_cache(first_seed: int, count: int, path: str, workers: int):
    if os.path.exists(path):
        data = np.load(path)
        if int(data["version"]) == CACHE_VERSION and len(data["label"]) == count and \
                int(data["first_seed"]) == first_seed:
            return {k: data[k] for k in data.files}
    t0 = time.time()
    with Pool(workers) as pool:
        items = pool.map(letterbox_sample, range(first_seed, first_seed + count), chunksize=64)
    data = {
        "image": np.stack([i[0] for i in items]), "inst": np.stack([i[1] for i in items]),
        "boxes": np.stack([i[2] for i in items]), "classes": np.stack([i[3] for i in items]),
        "label": np.array([i[4] for i in items], np.int64),
        "version": np.array(CACHE_VERSION), "first_seed": np.array(first_seed),
    }
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.savez(path, **data)
    print(f"generated {count} scenes in {time.time() - t0:.0f} s -> {path}", flush=True)
    return data


# ---------------------------------------------------------------- network

def build_network(torch):
    nn = torch.nn
    F = torch.nn.functional

    def cbr(cin, cout, k=3, s=1):
        return nn.Sequential(nn.Conv2d(cin, cout, k, s, k // 2, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))

    class Res(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.a = cbr(c, c)
            self.b = nn.Sequential(nn.Conv2d(c, c, 3, 1, 1, bias=False), nn.BatchNorm2d(c))

        def forward(self, x):
            return F.relu(x + self.b(self.a(x)))

    class Net(nn.Module):
        def __init__(self, k=NUM_CLASSES, c=(16, 32, 64, 96, 112), fpn=64, mid=32):
            super().__init__()
            self.k = k
            self.stem = cbr(3, c[0], 3, 2)  # /2
            self.s1 = nn.Sequential(cbr(c[0], c[1], 3, 2), cbr(c[1], c[1]))  # /4
            self.s2 = nn.Sequential(cbr(c[1], c[2], 3, 2), Res(c[2]))  # /8
            self.s3 = nn.Sequential(cbr(c[2], c[3], 3, 2), Res(c[3]), cbr(c[3], c[3]))  # /16
            self.s4 = nn.Sequential(cbr(c[3], c[4], 3, 2), cbr(c[4], c[4]))  # /32
            self.lat5 = cbr(c[4], fpn, 1)
            self.lat4 = cbr(c[3], fpn, 1)
            self.lat3 = cbr(c[2], fpn, 1)
            self.out4 = cbr(fpn, fpn)
            self.out3 = cbr(fpn, fpn)
            self.out5 = cbr(fpn, fpn)
            # stride-4 features for prototypes and semantic logits
            self.red3 = cbr(fpn, mid, 1)
            # One 3x3 layer: everything past the detection path is what a multi-task call pays on top of
            # detect, so the prototype and semantic heads share it and end in 1x1 convolutions.
            self.fuse2 = cbr(mid + c[1], mid)
            self.proto = nn.Conv2d(mid, NUM_PROTOS, 1)
            # semantic logits at stride 4: edgecnn's segment_map resizes them bilinearly to the frame
            self.seg = nn.Conv2d(mid, k + 1, 1)
            # detection head, shared by the levels (the export folds its BN once per level, so it is
            # stored three times: one 3x3 layer keeps the file small)
            self.det = cbr(fpn, fpn)
            self.det_box = nn.Conv2d(fpn, 4, 1)
            self.det_cls = nn.Conv2d(fpn, k, 1)
            self.det_coef = nn.Conv2d(fpn, NUM_PROTOS, 1)
            # scene classifier
            self.cls_conv = cbr(c[4], 128, 1)
            self.cls_fc = nn.Linear(256, k)
            nn.init.constant_(self.det_cls.bias, -4.6)  # prior 0.01
            nn.init.constant_(self.det_box.bias, -1.0)

        def forward(self, x):
            f1 = self.stem(x)
            c2 = self.s1(f1)
            c3 = self.s2(c2)
            c4 = self.s3(c3)
            c5 = self.s4(c4)
            p5 = self.lat5(c5)
            p4 = self.lat4(c4) + F.interpolate(p5, scale_factor=2.0, mode="nearest")
            p3 = self.lat3(c3) + F.interpolate(p4, scale_factor=2.0, mode="nearest")
            p5, p4, p3 = self.out5(p5), self.out4(p4), self.out3(p3)
            q = torch.cat([F.interpolate(self.red3(p3), scale_factor=2.0, mode="nearest"), c2], 1)
            q = self.fuse2(q)
            protos = self.proto(q)
            seg = self.seg(q)
            levels = []
            for p in (p3, p4, p5):
                h = self.det(p)
                levels.append((self.det_box(h), self.det_cls(h), self.det_coef(h)))
            g = self.cls_conv(c5)
            pooled = torch.cat([F.adaptive_avg_pool2d(g, 1), F.adaptive_max_pool2d(g, 1)], 1).flatten(1)
            cls = self.cls_fc(pooled)
            return cls, seg, levels, protos

    class Export(nn.Module):
        """The network with the detection decoding in the graph: YOLOv8-seg layout outputs."""

        def __init__(self, net):
            super().__init__()
            self.net = net
            for s in STRIDES:
                n = INPUT // s
                gy, gx = torch.meshgrid(torch.arange(n, dtype=torch.float32), torch.arange(n, dtype=torch.float32),
                                        indexing="ij")
                grid = torch.stack([(gx + 0.5) * s, (gy + 0.5) * s], 0).reshape(1, 2, n * n)
                self.register_buffer(f"grid{s}", grid)

        def forward(self, x):
            cls, seg, levels, protos = self.net(x)
            outs = []
            for s, (box, clsl, coef) in zip(STRIDES, levels):
                n = (INPUT // s) ** 2
                d = torch.sigmoid(box).reshape(1, 4, n) * (MAX_DIST * s)
                lt, rb = d[:, 0:2], d[:, 2:4]
                grid = getattr(self, f"grid{s}")
                cxy = grid + (rb - lt) * 0.5
                wh = lt + rb
                outs.append(torch.cat([cxy, wh, torch.sigmoid(clsl).reshape(1, self.net.k, n),
                                       coef.reshape(1, NUM_PROTOS, n)], 1))
            det = torch.cat(outs, 2)
            return cls, seg, det, protos

    return Net, Export


# ---------------------------------------------------------------- targets and losses

def level_grids(torch):
    grids = []
    for s in STRIDES:
        n = INPUT // s
        gy, gx = torch.meshgrid(torch.arange(n, dtype=torch.float32), torch.arange(n, dtype=torch.float32),
                                indexing="ij")
        grids.append(torch.stack([(gx.reshape(-1) + 0.5) * s, (gy.reshape(-1) + 0.5) * s], 1))  # (n*n, 2)
    return grids


def assign(torch, boxes, classes, grids):
    """Per level: (B, cells) index of the assigned object (-1 none)."""
    B = boxes.shape[0]
    valid = classes >= 0  # (B, M)
    wh = boxes[..., 2:] - boxes[..., :2]
    side = wh.max(-1).values
    area = wh[..., 0] * wh[..., 1]
    ctr = (boxes[..., :2] + boxes[..., 2:]) * 0.5
    out = []
    for (lo, hi), s, g in zip(LEVEL_RANGES, STRIDES, grids):
        gx, gy = g[:, 0][None, None], g[:, 1][None, None]  # (1, 1, C)
        bx1, by1, bx2, by2 = [boxes[..., i][..., None] for i in range(4)]
        inside = (gx > bx1) & (gx < bx2) & (gy > by1) & (gy < by2)
        r = CENTER_RADIUS * s
        near = ((gx - ctr[..., 0:1]).abs() <= r) & ((gy - ctr[..., 1:2]).abs() <= r)
        # the cell holding the centre is always positive
        n = INPUT // s
        cidx = (ctr[..., 1] // s).clamp(0, n - 1) * n + (ctr[..., 0] // s).clamp(0, n - 1)
        home = torch.zeros_like(inside)
        home.scatter_(2, cidx.long()[..., None], True)
        ok = valid & (side >= lo) & (side <= hi)
        cand = ((inside & near) | home) & ok[..., None]  # (B, M, C)
        cost = torch.where(cand, area[..., None], torch.full_like(area[..., None], 1e12).expand_as(cand))
        best = cost.argmin(1)  # (B, C)
        has = cand.any(1)
        out.append(torch.where(has, best, torch.full_like(best, -1)))
    return out


def giou(torch, a, b):
    lt = torch.max(a[:, :2], b[:, :2])
    rb = torch.min(a[:, 2:], b[:, 2:])
    inter = (rb - lt).clamp(min=0).prod(1)
    area_a = (a[:, 2:] - a[:, :2]).clamp(min=0).prod(1)
    area_b = (b[:, 2:] - b[:, :2]).clamp(min=0).prod(1)
    union = area_a + area_b - inter + 1e-6
    iou = inter / union
    elt = torch.min(a[:, :2], b[:, :2])
    erb = torch.max(a[:, 2:], b[:, 2:])
    enc = (erb - elt).clamp(min=0).prod(1) + 1e-6
    return iou - (enc - union) / enc, iou


def compute_loss(torch, out, batch, grids):
    F = torch.nn.functional
    cls, seg, levels, protos = out
    img, inst, boxes, classes, label = batch
    B = img.shape[0]
    k = cls.shape[1]
    l_cls = F.cross_entropy(cls, label)
    # semantic: inst -> class map
    lut = torch.cat([torch.zeros(B, 1, dtype=torch.long), classes + 1], 1).clamp(min=0)  # (B, M+1)
    inst_l = inst.long()
    ids = inst_l.clamp(max=MAX_OBJ)
    cmap = torch.gather(lut, 1, ids.reshape(B, -1)).reshape(inst.shape)
    cmap = torch.where(inst_l == IGNORE, torch.full_like(cmap, IGNORE), cmap)
    # The loss sees the logits as edgecnn's segment_map does: resized bilinearly (half-pixel) to the input.
    seg_full = F.interpolate(seg, size=cmap.shape[-2:], mode="bilinear", align_corners=False)
    l_seg = F.cross_entropy(seg_full, cmap, ignore_index=IGNORE)

    assigned = assign(torch, boxes, classes, grids)

    num_pos = sum(int((a >= 0).sum()) for a in assigned)
    norm = max(num_pos, 1)
    l_det_cls = cls.new_zeros(())
    l_box = cls.new_zeros(())
    pos_b, pos_o, pos_coef = [], [], []
    for (box, clsl, coef), s, g, a in zip(levels, STRIDES, grids, assigned):
        n = g.shape[0]
        box = box.reshape(B, 4, n).permute(0, 2, 1)
        clsl = clsl.reshape(B, k, n).permute(0, 2, 1)
        coef = coef.reshape(B, NUM_PROTOS, n).permute(0, 2, 1)
        pos = a >= 0
        tgt = torch.zeros_like(clsl)
        bi, ci = torch.nonzero(pos, as_tuple=True)
        oi = a[bi, ci]
        tgt[bi, ci, classes[bi, oi]] = 1.0
        p = torch.sigmoid(clsl)
        ce = F.binary_cross_entropy_with_logits(clsl, tgt, reduction="none")
        pt = p * tgt + (1 - p) * (1 - tgt)
        alpha = 0.25 * tgt + 0.75 * (1 - tgt)
        l_det_cls = l_det_cls + (alpha * (1 - pt) ** 2 * ce).sum()
        if len(bi) == 0:
            continue
        d = torch.sigmoid(box[bi, ci]) * (MAX_DIST * s)
        gc = g[ci]
        pred = torch.cat([gc - d[:, :2], gc + d[:, 2:]], 1)
        gtb = boxes[bi, oi]
        gi, _ = giou(torch, pred, gtb)
        l_box = l_box + (1 - gi).sum() + 0.25 * ((pred - gtb).abs() / s).sum() / 4
        pos_b.append(bi)
        pos_o.append(oi)
        pos_coef.append(coef[bi, ci])
    # masks: BCE of coef . protos against the soft GT mask inside the GT box, image by image
    # (a matrix product per image; gathering the prototypes per positive would be slow)
    l_mask = cls.new_zeros(())
    if pos_b:
        bi, oi, cf = torch.cat(pos_b), torch.cat(pos_o), torch.cat(pos_coef)
        onehot = (inst_l[:, None] == torch.arange(1, MAX_OBJ + 1)[None, :, None, None]).float()
        gt_masks = F.avg_pool2d(onehot, PROTO_STRIDE)  # (B, M, Hp, Wp) soft masks at prototype resolution
        hp = INPUT // PROTO_STRIDE
        pg = (torch.arange(hp, dtype=torch.float32) + 0.5) * PROTO_STRIDE
        pf = protos.reshape(B, NUM_PROTOS, hp * hp)
        for b in range(B):
            sel = torch.nonzero(bi == b, as_tuple=True)[0]
            if len(sel) == 0:
                continue
            ob = oi[sel]
            logits = (cf[sel] @ pf[b]).reshape(-1, hp, hp)
            tm = gt_masks[b, ob]
            gtb = boxes[b, ob]
            inx = (pg[None, :] >= gtb[:, 0:1]) & (pg[None, :] <= gtb[:, 2:3])
            iny = (pg[None, :] >= gtb[:, 1:2]) & (pg[None, :] <= gtb[:, 3:4])
            crop = (iny[:, :, None] & inx[:, None, :]).float()
            bce = F.binary_cross_entropy_with_logits(logits, tm, reduction="none")
            l_mask = l_mask + ((bce * crop).sum((1, 2)) / crop.sum((1, 2)).clamp(min=1.0)).sum()
    losses = {"cls": l_cls, "seg": l_seg, "det_cls": l_det_cls / norm, "box": l_box / norm, "mask": l_mask / norm}
    total = losses["cls"] + losses["seg"] + 2.0 * losses["det_cls"] + 2.0 * losses["box"] + 2.0 * losses["mask"]
    return total, {k: float(v.detach()) for k, v in losses.items()}


def augment(torch, img, inst, boxes, classes, gen):
    """Random flips and transposes of the whole batch (every shape class is symmetric under them)."""
    S = INPUT
    valid = (classes >= 0)[..., None]
    if torch.rand(1, generator=gen).item() < 0.5:  # horizontal flip
        img, inst = img.flip(3), inst.flip(2)
        boxes = torch.stack([S - boxes[..., 2], boxes[..., 1], S - boxes[..., 0], boxes[..., 3]], -1)
    if torch.rand(1, generator=gen).item() < 0.5:  # vertical flip
        img, inst = img.flip(2), inst.flip(1)
        boxes = torch.stack([boxes[..., 0], S - boxes[..., 3], boxes[..., 2], S - boxes[..., 1]], -1)
    if torch.rand(1, generator=gen).item() < 0.5:  # transpose
        img, inst = img.transpose(2, 3), inst.transpose(1, 2)
        boxes = boxes[..., [1, 0, 3, 2]]
    boxes = torch.where(valid, boxes, torch.zeros_like(boxes))
    return img.contiguous(), inst.contiguous(), boxes, classes


# ---------------------------------------------------------------- export and checks

def export_and_convert(torch, net, Export, onnx_path, out_path, check_seeds):
    import onnxruntime as ort

    import edgecnn

    net.eval()
    model = Export(net).eval()
    x = torch.zeros(1, 3, INPUT, INPUT)
    os.makedirs(os.path.dirname(onnx_path), exist_ok=True)
    torch.onnx.export(model, x, onnx_path, opset_version=17, dynamo=False, input_names=["images"],
                      output_names=["cls_logits", "seg_logits", "det", "protos"])
    sess = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
    xs = []
    for seed in check_seeds:
        img = letterbox_sample(seed)[0].astype(np.float32)[None] / 255.0
        xs.append(img)
    worst_onnx = 0.0
    with torch.no_grad():
        for xi in xs:
            ref = [t.numpy() for t in model(torch.from_numpy(xi))]
            got = sess.run(None, {"images": xi})
            for r, g in zip(ref, got):
                worst_onnx = max(worst_onnx, float(np.max(np.abs(r - g) / np.maximum(1.0, np.abs(r)))))
    print(f"torch vs onnxruntime: max rel diff {worst_onnx:.2e}", flush=True)
    labels = list(SHAPE_CLASSES)
    heads = {
        "classify": {"outputs": ["cls_logits"], "letterbox": True},
        "segment": {"outputs": ["seg_logits"], "labels": list(SEGMENT_CLASSES), "letterbox": True},
        "detect": {"outputs": ["det"], "decoder": "yolov8", "letterbox": True},
        "instance": {"outputs": ["det", "protos"], "decoder": "yolov8", "letterbox": True},
    }
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    report = edgecnn.convert(onnx_path, out_path, labels=labels, heads=heads, color="rgb")
    print(report.summary(), flush=True)
    m = edgecnn.load(out_path)
    worst = 0.0
    for xi in xs:
        ref = sess.run(None, {"images": xi})
        got = m.forward(xi)
        for r, g in zip(ref, got):
            worst = max(worst, float(np.max(np.abs(r - g) / np.maximum(1.0, np.abs(r)))))
    print(f"onnxruntime vs edgecnn: max |diff| / max(1, |ref|) = {worst:.2e}", flush=True)
    if worst > 1e-4:
        raise SystemExit(f"converted model differs from ONNX: {worst:.2e} > 1e-4")
    return worst_onnx, worst


# ---------------------------------------------------------------- main

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train-scenes", type=int, default=32000)
    ap.add_argument("--first-seed", type=int, default=0, help="training seeds: first-seed .. first-seed + n - 1")
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--cache", default="/tmp/edgecnn_default/train_cache.npz")
    ap.add_argument("--onnx", default=os.path.join(ROOT, "build", "default_model", "default.onnx"))
    ap.add_argument("--checkpoint", default=os.path.join(ROOT, "build", "default_model", "default.pt"))
    ap.add_argument("--out", default=os.path.join(ROOT, "python", "edgecnn", "models", "default.ecnn"))
    ap.add_argument("--max-minutes", type=float, default=30.0,
                    help="training time budget: the learning-rate schedule ends at the last step or at this "
                         "many minutes of training, whichever comes first (0: no limit)")
    ap.add_argument("--export-only", action="store_true", help="export the saved checkpoint, do not train")
    ap.add_argument("--bench", action="store_true", help="time a few training steps and exit")
    ap.add_argument("--data-only", action="store_true", help="generate the training cache and exit")
    args = ap.parse_args(argv)

    # Threads sleep rather than spin while waiting: the machine is shared, and spinning threads
    # slow everyone (this run most) when other processes want the cores.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    Net, Export = build_network(torch)
    net = Net()
    params = sum(p.numel() for p in net.parameters())
    print(f"parameters: {params}", flush=True)
    grids = level_grids(torch)
    t_start = time.time()

    if not args.export_only:
        n_train = 256 if args.bench else args.train_scenes
        data = build_cache(args.first_seed, n_train, args.cache + (".bench.npz" if args.bench else ""),
                           workers=args.threads)
        t_data = time.time() - t_start
        if args.data_only:
            return
        images = torch.from_numpy(data["image"])
        insts = torch.from_numpy(data["inst"])
        all_boxes = torch.from_numpy(data["boxes"])
        all_classes = torch.from_numpy(data["classes"])
        labels = torch.from_numpy(data["label"])
        n = len(labels)
        steps_per_epoch = n // args.batch
        total_steps = steps_per_epoch * args.epochs if not args.bench else 10
        opt = torch.optim.AdamW(net.parameters(), lr=args.lr, weight_decay=1e-4)
        warm = min(300, total_steps // 10)
        budget = 60.0 * args.max_minutes

        def progress(i, elapsed):
            # The schedule runs over the steps, or over the time budget when that is shorter.
            return max(i / total_steps, elapsed / budget if budget else 0.0)

        gen = torch.Generator().manual_seed(1)
        step = 0
        t_train = time.time()
        net.train()
        net.to(memory_format=torch.channels_last)
        running = {}
        for epoch in range(args.epochs):
            perm = torch.randperm(n, generator=gen)
            for b in range(steps_per_epoch):
                idx = perm[b * args.batch:(b + 1) * args.batch]
                img = images[idx].float() / 255.0
                inst, boxes, classes = insts[idx], all_boxes[idx], all_classes[idx]
                img, inst, boxes, classes = augment(torch, img, inst, boxes, classes, gen)
                img = img.contiguous(memory_format=torch.channels_last)
                frac = progress(step, time.time() - t_train)
                if frac >= 1.0:
                    break
                for group in opt.param_groups:
                    group["lr"] = args.lr * min(1.0, (step + 1) / max(warm, 1)) * 0.5 * (1 + math.cos(math.pi * frac))
                out = net(img)
                loss, parts = compute_loss(torch, out, (img, inst, boxes, classes, labels[idx]), grids)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(net.parameters(), 10.0)
                opt.step()
                step += 1
                for k2, v in parts.items():
                    running[k2] = 0.98 * running.get(k2, v) + 0.02 * v
                if step % 50 == 0 or args.bench:
                    el = time.time() - t_train
                    print(f"epoch {epoch} step {step}/{total_steps} {el:.0f}s ({el / step:.2f} s/step) "
                          + " ".join(f"{k2} {v:.3f}" for k2, v in running.items()), flush=True)
            else:
                continue
            break
        train_time = time.time() - t_train
        if args.bench:
            print(f"{train_time / step:.2f} s/step at batch {args.batch}")
            return
        os.makedirs(os.path.dirname(args.checkpoint), exist_ok=True)
        net.to(memory_format=torch.contiguous_format)
        torch.save(net.state_dict(), args.checkpoint)
        info = {"parameters": params, "train_scenes": n, "first_seed": args.first_seed, "epochs": args.epochs,
                "steps": step, "batch": args.batch, "data_seconds": round(t_data), "train_seconds": round(train_time),
                "final_losses": {k2: round(v, 4) for k2, v in running.items()}}
        with open(os.path.join(os.path.dirname(args.checkpoint), "train_info.json"), "w") as f:
            json.dump(info, f, indent=1)
        print(json.dumps(info), flush=True)
    else:
        net.load_state_dict(torch.load(args.checkpoint))
    export_and_convert(torch, net, Export, args.onnx, args.out, check_seeds=[10_000_000 + i for i in range(4)])
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes); total {time.time() - t_start:.0f} s", flush=True)


if __name__ == "__main__":
    main()
