using System.Numerics;
using System.Runtime.CompilerServices;

namespace DistTrainer.Core.Optimizers;

/// <summary>
/// torch's coupled weight decay, g + weight_decay * p, added to the gradient before the update rule.
/// Skipped at zero as torch does, so a zero decay leaves the gradient bit for bit (even next to an infinite weight).
/// </summary>
internal readonly struct L2Penalty(float weightDecay)
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Apply(float gradient, float parameter) =>
        weightDecay == 0f ? gradient : gradient + weightDecay * parameter;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector<float> Apply(Vector<float> gradient, Vector<float> parameter) =>
        weightDecay == 0f ? gradient : gradient + new Vector<float>(weightDecay) * parameter;
}
