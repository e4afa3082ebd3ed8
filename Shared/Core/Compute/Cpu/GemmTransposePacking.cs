using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DistTrainer.Core.Compute.Cpu;

/// <summary>
/// The packing of <see cref="GemmPacking"/> for lines that run along memory (A as stored, or B
/// transposed), where each panel is a transpose of the source: 16 lines x 16 depths are loaded as
/// 16 registers, transposed in registers with AVX-512 shuffles, and stored as 16 depth steps.
/// </summary>
internal static unsafe class GemmTransposePacking
{
    private const int Block = 16;

    /// <summary>Widths whose panels a 16-line block fills whole (multiples of 16) or in halves (8).</summary>
    public static bool Supports(int width) => Avx512F.IsSupported && (width % Block == 0 || width == Block / 2);

    public static void Pack(float* source, int lineStride, int lines, int depth, int width, float* destination)
    {
        int panelSize = width * depth;
        float* padded = stackalloc float[Block * Block];
        for (int first = 0; first < lines; first += Block)
        {
            int count = Math.Min(Block, lines - first);
            float* from = source + (long)first * lineStride;
            float* to = destination + first / width * panelSize + first % width;
            bool upperHalfExists = first + Block / 2 < lines;
            int d = 0;
            for (; d + Block <= depth; d += Block)
            {
                if (count == Block)
                {
                    Transpose(from + d, lineStride, to + d * width, width, panelSize, upperHalfExists);
                    continue;
                }
                // A last block of fewer than 16 lines goes through a zero-padded copy.
                new Span<float>(padded, Block * Block).Clear();
                for (int l = 0; l < count; l++)
                    new ReadOnlySpan<float>(from + (long)l * lineStride + d, Block).CopyTo(new Span<float>(padded + l * Block, Block));
                Transpose(padded, Block, to + d * width, width, panelSize, upperHalfExists);
            }
            for (; d < depth; d++)
            {
                for (int l = 0; l < Block; l++)
                {
                    float value = l < count ? from[(long)l * lineStride + d] : 0;
                    if (l < width) to[d * width + l] = value;
                    else if (upperHalfExists) to[panelSize + d * width + l - width] = value;
                }
            }
        }
    }

    /// <summary>
    /// Loads 16 lines of 16 floats, transposes them, and stores line l of depth j at
    /// <c>to + j * width + l</c> (lines 8..15 in the next panel when the width is 8).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(float* from, int stride, float* to, int width, int panelSize, bool upperHalfExists)
    {
        var r0 = Vector512.Load(from);
        var r1 = Vector512.Load(from += stride);
        var r2 = Vector512.Load(from += stride);
        var r3 = Vector512.Load(from += stride);
        var r4 = Vector512.Load(from += stride);
        var r5 = Vector512.Load(from += stride);
        var r6 = Vector512.Load(from += stride);
        var r7 = Vector512.Load(from += stride);
        var r8 = Vector512.Load(from += stride);
        var r9 = Vector512.Load(from += stride);
        var r10 = Vector512.Load(from += stride);
        var r11 = Vector512.Load(from += stride);
        var r12 = Vector512.Load(from += stride);
        var r13 = Vector512.Load(from += stride);
        var r14 = Vector512.Load(from += stride);
        var r15 = Vector512.Load(from + stride);

        // Lane L of t(2i) holds lines 2i, 2i+1 at columns 4L, 4L+1; of t(2i+1), at columns 4L+2, 4L+3.
        var (t0, t1) = Interleave(r0, r1);
        var (t2, t3) = Interleave(r2, r3);
        var (t4, t5) = Interleave(r4, r5);
        var (t6, t7) = Interleave(r6, r7);
        var (t8, t9) = Interleave(r8, r9);
        var (t10, t11) = Interleave(r10, r11);
        var (t12, t13) = Interleave(r12, r13);
        var (t14, t15) = Interleave(r14, r15);

        // Lane L of r(4g + j) holds lines 4g..4g+3 at column 4L + j.
        (r0, r1) = InterleavePairs(t0, t2);
        (r2, r3) = InterleavePairs(t1, t3);
        (r4, r5) = InterleavePairs(t4, t6);
        (r6, r7) = InterleavePairs(t5, t7);
        (r8, r9) = InterleavePairs(t8, t10);
        (r10, r11) = InterleavePairs(t9, t11);
        (r12, r13) = InterleavePairs(t12, t14);
        (r14, r15) = InterleavePairs(t13, t15);

        // Column c = 4L + j gathers lane L of r(j), r(4+j), r(8+j), r(12+j); each is stored as soon as it is
        // complete, which keeps fewer registers live.
        Columns(r0, r4, r8, r12, to, width, panelSize, upperHalfExists);
        Columns(r1, r5, r9, r13, to + width, width, panelSize, upperHalfExists);
        Columns(r2, r6, r10, r14, to + 2 * width, width, panelSize, upperHalfExists);
        Columns(r3, r7, r11, r15, to + 3 * width, width, panelSize, upperHalfExists);
    }

    /// <summary>Columns j, 4 + j, 8 + j, 12 + j from r(j), r(4+j), r(8+j), r(12+j), stored at depths j, 4 + j, ...</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Columns(Vector512<float> first, Vector512<float> second, Vector512<float> third, Vector512<float> fourth,
        float* to, int width, int panelSize, bool upperHalfExists)
    {
        var (a, b) = Lanes(first, second);
        var (c, d) = Lanes(third, fourth);
        var (column0, column8) = Lanes(a, c);
        var (column4, column12) = Lanes(b, d);
        Store(column0, to, panelSize, width, upperHalfExists);
        Store(column4, to + 4 * width, panelSize, width, upperHalfExists);
        Store(column8, to + 8 * width, panelSize, width, upperHalfExists);
        Store(column12, to + 12 * width, panelSize, width, upperHalfExists);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<float>, Vector512<float>) Interleave(Vector512<float> a, Vector512<float> b) =>
        (Avx512F.UnpackLow(a, b), Avx512F.UnpackHigh(a, b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<float>, Vector512<float>) InterleavePairs(Vector512<float> a, Vector512<float> b) =>
        (Avx512F.UnpackLow(a.AsDouble(), b.AsDouble()).AsSingle(), Avx512F.UnpackHigh(a.AsDouble(), b.AsDouble()).AsSingle());

    /// <summary>(lanes 0, 2 of a then of b), (lanes 1, 3 of a then of b).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<float>, Vector512<float>) Lanes(Vector512<float> a, Vector512<float> b) =>
        (Avx512F.Shuffle4x128(a, b, 0b10_00_10_00), Avx512F.Shuffle4x128(a, b, 0b11_01_11_01));

    /// <summary>16 lines at one depth: one store, or two halves in adjacent 8-line panels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector512<float> lines, float* to, int panelSize, int width, bool upperHalfExists)
    {
        if (width >= Block)
        {
            lines.Store(to);
            return;
        }
        lines.GetLower().Store(to);
        if (upperHalfExists) lines.GetUpper().Store(to + panelSize);
    }
}
