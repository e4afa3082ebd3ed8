using System.Numerics;
using System.Runtime.CompilerServices;

namespace DistTrainer.Core.Optimizers;

/// <summary>
/// A vector an update rule reads and rewrites: read from one span, written to another of the same length. The two are
/// the same memory for a step in place, and two buffers for a step written beside the current values, which then stay
/// as they were until the step is committed (a refused step needs no copy to roll back).
/// </summary>
internal readonly ref struct InOut
{
    private readonly ReadOnlySpan<float> _in;
    private readonly Span<float> _out;

    public InOut(ReadOnlySpan<float> input, Span<float> output)
    {
        // The rules load and store without bounds checks (Elementwise), so the two must cover the same elements.
        if (input.Length != output.Length)
            throw new ArgumentException($"a rule reads {input.Length} values and would write {output.Length}");
        _in = input;
        _out = output;
    }

    public bool IsEmpty => _in.IsEmpty;

    /// <summary>Reads the current value; writing sets the new one (so <c>x[i] += d</c> is the rule's in-place form).</summary>
    public float this[int index]
    {
        get => _in[index];
        set => _out[index] = value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector<float> Load(int index) => Elementwise.Load(_in, index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(int index, Vector<float> value) => Elementwise.Store(_out, index, value);
}
