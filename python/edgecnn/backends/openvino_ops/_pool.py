"""Shared by MaxPool and AveragePool."""


def window(ctx):
    """kernel, strides, dilations, pads_begin, pads_end, ceil_mode (ONNX defaults when absent)."""
    if ctx.attr("auto_pad", "NOTSET") != "NOTSET":
        raise ctx.bad(f"auto_pad '{ctx.attr('auto_pad')}' must be resolved to explicit pads by the converter")
    kernel = ctx.ints("kernel_shape")
    if not kernel:
        raise ctx.bad("attribute 'kernel_shape' is required")
    n = len(kernel)
    strides = ctx.ints("strides", [1] * n)
    dilations = ctx.ints("dilations", [1] * n)
    pads = ctx.ints("pads", [0] * 2 * n)
    if len(strides) != n or len(dilations) != n or len(pads) != 2 * n:
        raise ctx.bad(f"strides, dilations and pads must have {n}, {n} and {2 * n} values")
    ceil_mode = int(ctx.attr("ceil_mode", 0))
    if ceil_mode not in (0, 1):
        raise ctx.bad("ceil_mode must be 0 or 1")
    return kernel, strides, dilations, pads[:n], pads[n:], bool(ceil_mode)


def output_extent(size: int, k: int, s: int, d: int, begin: int, end: int, ceil_mode: bool) -> int:
    """ONNX's output size; with ceil_mode a last window that would start in
    the end padding is dropped (as onnxruntime, PyTorch and the native core do)."""
    span = size + begin + end - d * (k - 1) - 1
    out = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= size + begin:
        out -= 1
    return out
