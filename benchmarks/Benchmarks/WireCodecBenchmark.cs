using DistTrainer.Core.Training.WireFormat;

namespace DistTrainer.Benchmarks;

/// <summary>
/// What a 16-bit wire dtype costs in CPU at each end: encoding a shard's gradients (worker) and decoding them (parameter
/// server), for the default MLP's 270,346 parameters (--parameters). bf16's vectorised span versions against their scalar
/// reference, called value by value in the same run; fp16's span versions (the runtime's vectorised conversions).
/// Median microseconds of --runs calls.
/// </summary>
public static class WireCodecBenchmark
{
    public static int Run(BenchmarkArguments options)
    {
        int parameters = options.Int("--parameters", 270_346);
        int runs = options.Int("--runs", 500);
        var random = new Random(1);
        float[] gradients = Enumerable.Range(0, parameters).Select(_ => (float)(random.NextDouble() - 0.5) * 1e-3f).ToArray();
        ushort[] packed = new ushort[parameters];
        float[] decoded = new float[parameters];

        double scalarEncode = Statistics.MedianMicroseconds(runs, () =>
        {
            for (int i = 0; i < gradients.Length; i++) packed[i] = Bf16.Encode(gradients[i]);
        });
        double scalarDecode = Statistics.MedianMicroseconds(runs, () =>
        {
            for (int i = 0; i < packed.Length; i++) decoded[i] = Bf16.Decode(packed[i]);
        });
        double encode = Statistics.MedianMicroseconds(runs, () => Bf16.Encode(gradients, packed));
        double decode = Statistics.MedianMicroseconds(runs, () => Bf16.Decode(packed, decoded));
        double fp16Encode = Statistics.MedianMicroseconds(runs, () => Fp16.Encode(gradients, packed));
        double fp16Decode = Statistics.MedianMicroseconds(runs, () => Fp16.Decode(packed, decoded));

        Console.WriteLine($"{parameters:N0} gradients ({parameters * 4 / 1e6:F2} MB as fp32), median of {runs} calls, microseconds:");
        Console.WriteLine("| format | encode | decode |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine($"| bf16 scalar reference | {scalarEncode:F1} | {scalarDecode:F1} |");
        Console.WriteLine($"| bf16 vectorised | {encode:F1} ({scalarEncode / encode:F1}x) | {decode:F1} ({scalarDecode / decode:F1}x) |");
        Console.WriteLine($"| fp16 (runtime conversions) | {fp16Encode:F1} | {fp16Decode:F1} |");
        return 0;
    }
}
