using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DistTrainer.Core.Compute.Cpu;

/// <summary>
/// The packing of <see cref="GemmPacking"/> for lines that run along memory, where no AVX-512 is (the 256-bit kernels' panels,
/// 6 lines of op(A) and 16 of op(B)): 8 lines x 8 depths are loaded as 8 registers, transposed in registers with AVX shuffles,
/// and each depth's lines stored in their panel. A narrow panel (8 lines or fewer) is transposed whole, the lines after it
/// riding along unstored; a wide one (a multiple of 8) in slices of 8 lines.
/// </summary>
internal static unsafe class GemmTransposePacking256
{
    private const int Block = 8;

    public static bool Supports(int width) => Avx.IsSupported && (width <= Block || width % Block == 0);

    public static void Pack(float* source, int lineStride, int lines, int depth, int width, float* destination)
    {
        int group = Math.Min(width, Block);
        int panelSize = width * depth;
        float* padded = stackalloc float[Block * Block];
        for (int first = 0; first < lines; first += group)
        {
            int count = Math.Min(group, lines - first);
            // Lines a block may load: past the source's last line a block goes through a zero-padded copy.
            int loadable = Math.Min(Block, lines - first);
            float* from = source + (long)first * lineStride;
            float* to = destination + first / width * panelSize + first % width;
            int d = 0;
            for (; d + Block <= depth; d += Block)
            {
                if (loadable == Block)
                {
                    Transpose(from + d, lineStride, to + d * width, width, group);
                    continue;
                }
                new Span<float>(padded, Block * Block).Clear();
                for (int l = 0; l < loadable; l++)
                    new ReadOnlySpan<float>(from + (long)l * lineStride + d, Block).CopyTo(new Span<float>(padded + l * Block, Block));
                Transpose(padded, Block, to + d * width, width, group);
            }
            for (; d < depth; d++)
                for (int l = 0; l < group; l++)
                    to[d * width + l] = l < count ? from[(long)l * lineStride + d] : 0;
        }
    }

    /// <summary>Loads 8 lines of 8 floats and stores the first <paramref name="group"/> lines of depth j at <c>to + j * width</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(float* from, int stride, float* to, int width, int group)
    {
        var r0 = Vector256.Load(from);
        var r1 = Vector256.Load(from += stride);
        var r2 = Vector256.Load(from += stride);
        var r3 = Vector256.Load(from += stride);
        var r4 = Vector256.Load(from += stride);
        var r5 = Vector256.Load(from += stride);
        var r6 = Vector256.Load(from += stride);
        var r7 = Vector256.Load(from + stride);

        // In each 128-bit half h: t(2i) holds lines 2i, 2i+1 at depths 4h, 4h+1; t(2i+1) at depths 4h+2, 4h+3.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);

        // In half h: s(j) holds lines 0..3 at depth 4h + j, s(4 + j) lines 4..7.
        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);

        Store(Avx.Permute2x128(s0, s4, 0x20), to, group);
        Store(Avx.Permute2x128(s1, s5, 0x20), to + width, group);
        Store(Avx.Permute2x128(s2, s6, 0x20), to + 2 * width, group);
        Store(Avx.Permute2x128(s3, s7, 0x20), to + 3 * width, group);
        Store(Avx.Permute2x128(s0, s4, 0x31), to + 4 * width, group);
        Store(Avx.Permute2x128(s1, s5, 0x31), to + 5 * width, group);
        Store(Avx.Permute2x128(s2, s6, 0x31), to + 6 * width, group);
        Store(Avx.Permute2x128(s3, s7, 0x31), to + 7 * width, group);
    }

    /// <summary>The first <paramref name="group"/> lines of one depth: a panel's next depth starts right after them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector256<float> lines, float* to, int group)
    {
        if (group == Block)
        {
            lines.Store(to);
            return;
        }
        int l = 0;
        if (group >= 4)
        {
            lines.GetLower().Store(to);
            l = 4;
        }
        for (; l < group; l++) to[l] = lines.GetElement(l);
    }
}
