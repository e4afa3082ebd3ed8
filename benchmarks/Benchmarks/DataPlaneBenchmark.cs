using System.Diagnostics;
using System.Globalization;

namespace DistTrainer.Benchmarks;

/// <summary>
/// How fast float32 tensors of gradient size move between two endpoints in one process: one-way
/// throughput and round-trip time, per transport, against a plain memory copy of the same bytes.
/// Each transport is one method returning <see cref="TransportFigures"/>, measured by
/// <see cref="TransportMeasurement"/>; a new transport is one more entry in <see cref="Transports"/>.
/// </summary>
public static class DataPlaneBenchmark
{
    private static readonly int[] PayloadFloats = [256 * 1024, 1024 * 1024];

    private static readonly (string Name, Func<int, TimeSpan, TransportFigures> Measure)[] Transports =
    [
        ("memory copy (Span.CopyTo)", MeasureMemoryCopy),
        ("data plane (TensorConnection, loopback TCP)", TensorConnectionTransport.Measure),
        ("Akka.Remote + Hyperion (float[] in a message)", AkkaRemoteTransport.Measure),
    ];

    public static int Run(BenchmarkArguments args)
    {
        var window = TimeSpan.FromMilliseconds(args.Int("--window-ms", 1000));
        string output = args.String("--out", Path.Combine("docs", "benchmarks", "dataplane.md"));
        string loadBefore = MachineInfo.LoadAverage();

        var rows = new List<string>();
        foreach (int floats in PayloadFloats)
        {
            TransportFigures? baseline = null;
            foreach (var (name, measure) in Transports)
            {
                int gen2Before = GC.CollectionCount(2);
                var figures = measure(floats, window);
                baseline ??= figures;
                rows.Add(Row(name, floats, figures, baseline, GC.CollectionCount(2) - gen2Before));
            }
        }

        var report = new BenchmarkReport("Tensor data plane: throughput and round trip against a memory copy", "dataplane", args)
        {
            MachineDetails = $"; load average before: {loadBefore}, after: {MachineInfo.LoadAverage()}",
            Notes =
            [
                "One-way: the sender queues frames back to back for about one window; GB/s = payload bytes delivered to the",
                "receiver's handler (checked, in an array rented from the payload pool and returned) / time from the first send to the last delivery; the best of 3 windows.",
                "Round trip: one frame out, the receiver sends the same array back, the next frame leaves when it is in; the median",
                "over one window. Memory copy: one-way is one Span.CopyTo of the payload, a round trip two of them (there and back).",
                "Ratios are against the memory copy of the same size. Both ends run in this process, sharing its cores; gen2 GCs",
                "counts the full collections during the transport's measurement.",
                "Akka.Remote + Hyperion: two actor systems with the cluster's configuration (remote provider) and our Hyperion serializer,",
                $"a message record holding the float[]; for this benchmark only, both raise maximum-frame-size to {AkkaRemoteTransport.FrameBytes} bytes",
                $"and the serializer's max-message-bytes to {AkkaRemoteTransport.MessageBytes}. The same warm-up, windows and round trips as the data plane.",
            ],
        };
        report.Write(output, ["transport", "floats", "MB", "one-way GB/s", "vs copy", "round trip µs", "vs copy", "gen2 GCs"], rows);
        return 0;
    }

    private static string Row(string name, int floats, TransportFigures figures, TransportFigures baseline, int gen2)
    {
        string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
        // Ratios span from thousands down to a few ten-thousandths: three significant digits, never an exponent.
        string Ratio(double v) => F(v, v >= 100 ? "F0" : "G3");
        string line = $"| {name} | {floats} | {F(floats * 4 / 1e6, "F2")} | {F(figures.GigabytesPerSecond, "F2")} | " +
            $"{Ratio(figures.GigabytesPerSecond / baseline.GigabytesPerSecond)}x | {F(figures.RoundTripMicroseconds, "F0")} | " +
            $"{Ratio(figures.RoundTripMicroseconds / baseline.RoundTripMicroseconds)}x | {gen2} |";
        Console.WriteLine(line);
        return line;
    }

    private static TransportFigures MeasureMemoryCopy(int floats, TimeSpan window)
    {
        var source = new float[floats];
        var destination = new float[floats];
        new Random(1).NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(source.AsSpan()));
        var copyTimes = new List<double>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < window)
        {
            long start = Stopwatch.GetTimestamp();
            source.AsSpan().CopyTo(destination);
            copyTimes.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }
        double copySeconds = Statistics.Median(copyTimes);
        return new TransportFigures(floats * 4.0 / copySeconds / 1e9, 2 * copySeconds * 1e6);
    }
}
