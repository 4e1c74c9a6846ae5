"""AveragePool with ONNX's divisors in every mode.

OpenVINO's ceil rounding counts the part of a last window that hangs past the
end padding when count_include_pad=1; ONNX (and onnxruntime, PyTorch, the
native core) does not. So the pooling always runs with floor rounding and
exclude_pad, on an input padded with real zeros when count_include_pad=1, and
the end pads are extended by that overhang (excluded from the divisor)."""

from ._common import static_shape
from ._pool import output_extent, window

OP_TYPE = "AveragePool"


def build(ctx):
    ops = ctx.ops
    kernel, strides, dilations, begin, end, ceil_mode = window(ctx)
    if any(d != 1 for d in dilations):
        raise ctx.unsupported(f"dilations {dilations}")
    x = ctx.input(0)
    shape = ctx.shape(0)
    n = len(kernel)
    spatial = list(shape[2:])
    if len(spatial) != n:
        raise ctx.bad(f"kernel of rank {n} for an input of shape {list(shape)}")
    out = [output_extent(spatial[i], kernel[i], strides[i], 1, begin[i], end[i], ceil_mode) for i in range(n)]
    if int(ctx.attr("count_include_pad", 0)) and any(begin + end):
        x = ops.pad(x, ctx.i64([0, 0] + begin), ctx.i64([0, 0] + end), "constant", ctx.f32(0.0)).output(0)
        spatial = [spatial[i] + begin[i] + end[i] for i in range(n)]
        begin, end = [0] * n, [0] * n
    end = [max(end[i], (out[i] - 1) * strides[i] + kernel[i] - spatial[i] - begin[i]) for i in range(n)]
    y = ops.avg_pool(x, strides, begin, end, kernel, True, rounding_type="floor", auto_pad="explicit").output(0)
    got = static_shape(y)[2:]
    if list(got) != out:  # more windows than ONNX has (a window wholly in the padding): drop them
        y = ops.slice(y, ctx.i64([0] * n), ctx.i64(out), ctx.i64([1] * n), ctx.i64(list(range(2, 2 + n)))).output(0)
    return y
