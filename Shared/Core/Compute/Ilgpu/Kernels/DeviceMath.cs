namespace DistTrainer.Core.Compute.Ilgpu.Kernels;

/// <summary>
/// Float functions for kernels, built on exp only. ILGPU lowers MathF.Tanh to PTX's tanh.approx,
/// whose relative error (about 2^-11) is far above the 1e-5 the backends agree to; exp is lowered
/// to ex2 with a few ulps of error.
/// </summary>
internal static class DeviceMath
{
    public static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));

    public static float Tanh(float x)
    {
        float magnitude = MathF.Abs(x);
        // Below 0.2, (1 - e) / (1 + e) would lose digits to cancellation; the Taylor series
        // x - x^3/3 + 2x^5/15 - 17x^7/315 is accurate to 1e-7 relative there.
        if (magnitude < 0.2f)
        {
            float square = x * x;
            return x * (1f + square * (-1f / 3f + square * (2f / 15f + square * (-17f / 315f))));
        }
        float e = MathF.Exp(-2f * magnitude);
        float result = (1f - e) / (1f + e);
        return x < 0 ? -result : result;
    }
}
