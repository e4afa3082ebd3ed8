namespace DistTrainer.Benchmarks;

/// <summary>
/// The best a ring all-reduce does on the same link model, as a bound: each node sends and receives 2(n-1)/n of the
/// gradient bytes per step at its link's rate, after the same measured compute, with no overlap of the two.
/// </summary>
public static class RingAllReduceBound
{
    public static double StepSeconds(ScaleSetting setting, double gradientBytes, double computeSeconds) =>
        computeSeconds + 2.0 * (setting.Workers - 1) / setting.Workers * gradientBytes / setting.BytesPerSecond;

    public static double SamplesPerSecond(ScaleSetting setting, double gradientBytes, double computeSeconds) =>
        setting.Workers * setting.BatchPerWorker / StepSeconds(setting, gradientBytes, computeSeconds);
}
