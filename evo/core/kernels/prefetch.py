"""A cache hint for the kernels: `prefetch(array, flat_index)` (LLVM's llvm.prefetch).

It asks the CPU to bring the cache line of an element in while other work runs, and changes
nothing else: no value is read, written or drawn, so a kernel gives the same results with or
without it. Kernels use it where the next reads are random rows of arrays larger than the cache
(a naming game in camps of many thousands).
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic


@intrinsic
def prefetch(typingctx, array, flat_index):
    """Hint that `array.flat[flat_index]` (a C-contiguous array) will be read soon.

    A read prefetch into every cache level (llvm.prefetch: rw 0, locality 3, data). An index
    outside the array is harmless: a prefetch never faults.
    """
    if not (isinstance(array, types.Array) and array.layout == "C"
            and isinstance(flat_index, types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        array_type, index_type = signature.args
        data = context.make_array(array_type)(context, builder, args[0]).data
        index = context.cast(builder, args[1], index_type, types.intp)
        byte_pointer = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        hint = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [byte_pointer, i32, i32, i32]),
            "llvm.prefetch.p0")
        address = builder.bitcast(builder.gep(data, [index]), byte_pointer)
        builder.call(hint, [address, i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return types.void(array, flat_index), codegen
