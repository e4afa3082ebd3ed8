using System.Runtime.Intrinsics;

namespace DistTrainer.Core.Compute.Cpu;

/// <summary>
/// Copies a block of an operand into the layout the micro-kernel streams: panels of
/// <c>width</c> lines (rows of op(A), or columns of op(B)), each panel depth-major, so that one
/// step of the kernel reads <c>width</c> consecutive floats. Element (line l, depth d) of the
/// block is <c>source[l * lineStride + d * depthStride]</c>; it lands at
/// <c>destination[(l / width) * width * depth + d * width + l % width]</c>. The lines that pad the
/// last panel are zero.
/// </summary>
internal static unsafe class GemmPacking
{
    public static void Pack(float* source, int lineStride, int depthStride, int lines, int depth, int width, float* destination)
    {
        if (lineStride == 1)
            PackContiguousLines(source, depthStride, lines, depth, width, destination);
        else if (depthStride == 1 && GemmTransposePacking.Supports(width))
            GemmTransposePacking.Pack(source, lineStride, lines, depth, width, destination);
        else if (depthStride == 1 && GemmTransposePacking256.Supports(width))
            GemmTransposePacking256.Pack(source, lineStride, lines, depth, width, destination);
        else
            PackScalar(source, lineStride, depthStride, lines, depth, width, destination);
    }

    /// <summary>The definition of the layout, element by element; the fast paths are tested against it.</summary>
    public static void PackScalar(float* source, int lineStride, int depthStride, int lines, int depth, int width, float* destination)
    {
        for (int first = 0; first < lines; first += width)
        {
            int count = Math.Min(width, lines - first);
            for (int d = 0; d < depth; d++)
                for (int l = 0; l < width; l++)
                    destination[d * width + l] = l < count ? source[(first + l) * lineStride + d * depthStride] : 0;
            destination += width * depth;
        }
    }

    /// <summary>Lines adjacent in memory (B as stored, or A transposed): each depth step is one short copy.</summary>
    private static void PackContiguousLines(float* source, int depthStride, int lines, int depth, int width, float* destination)
    {
        for (int first = 0; first < lines; first += width)
        {
            int count = Math.Min(width, lines - first);
            float* from = source + first;
            for (int d = 0; d < depth; d++)
            {
                CopyPadded(from, count, destination, width);
                from += depthStride;
                destination += width;
            }
        }
    }

    private static void CopyPadded(float* from, int count, float* to, int width)
    {
        int i = 0;
        for (; i + Vector256<float>.Count <= count; i += Vector256<float>.Count)
            Vector256.Load(from + i).Store(to + i);
        for (; i < count; i++) to[i] = from[i];
        for (; i < width; i++) to[i] = 0;
    }
}
