using System.Diagnostics;
using System.Text.RegularExpressions;

namespace DistTrainer.Cluster.DataPlane.Fuzzing;

/// <summary>
/// Feeds random and damaged frames (<see cref="FuzzInputs"/>) to the two parsers a peer reaches: the Hello reader a
/// stranger meets and the frame reader an identified peer feeds. Each may refuse an input only with the protocol's own
/// exceptions (<see cref="FrameProtocolException"/>, <see cref="EndOfStreamException"/>), and no frame read may
/// allocate more than the reader's limit; anything else is a finding. The inputs depend on the seed alone.
/// </summary>
public sealed partial class FrameFuzzer(int seed, int maxPayloadBytes = 64 << 10)
{
    private const int MemorySampleEvery = 1000;

    /// <summary>Runs until <paramref name="maxInputs"/> inputs are tried or <paramref name="maxDuration"/> has passed.</summary>
    public FuzzReport Run(long maxInputs, TimeSpan maxDuration)
    {
        var report = new FuzzReport();
        var inputs = new FuzzInputs(new Random(seed), maxPayloadBytes);
        var pool = new PayloadPool(capacityBytes: 4L * maxPayloadBytes);
        var options = new DataPlaneOptions { MaxPayloadBytes = maxPayloadBytes, Payloads = pool };
        var clock = Stopwatch.StartNew();
        while (report.Inputs < maxInputs && clock.Elapsed < maxDuration)
        {
            var input = inputs.Next();
            report.Inputs++;
            Try(report, "Hello reader", input, () => ReadHello(report, input));
            Try(report, "frame reader", input, () => ReadFrames(report, input, options));
            if (report.Inputs % MemorySampleEvery == 0) report.PeakManagedBytes = Math.Max(report.PeakManagedBytes, GC.GetTotalMemory(false));
        }
        report.PeakManagedBytes = Math.Max(report.PeakManagedBytes, GC.GetTotalMemory(false));
        report.Elapsed = clock.Elapsed;
        return report;
    }

    private static void ReadHello(FuzzReport report, byte[] input)
    {
        // A memory stream completes every read at once: the async reader runs to its end on this thread.
        HelloReader.ReadAsync(new MemoryStream(input, writable: false), CancellationToken.None).GetAwaiter().GetResult();
        report.HellosAccepted++;
    }

    private void ReadFrames(FuzzReport report, byte[] input, DataPlaneOptions options)
    {
        var reader = new FrameReader(new MemoryStream(input, writable: false), options);
        while (true)
        {
            long before = options.Payloads.AllocatedBytes;
            ReceivedFrame? frame;
            try
            {
                frame = reader.Read();
            }
            finally
            {
                Allocated(report, options.Payloads.AllocatedBytes - before, input);
            }
            if (frame is not { } received) return;
            report.FramesAccepted++;
            options.Payloads.Return(received.Payload);
        }
    }

    /// <summary>Counts what one frame read allocated, refused or not; more than the limit is a finding.</summary>
    private void Allocated(FuzzReport report, long bytes, byte[] input)
    {
        report.LargestAllocation = Math.Max(report.LargestAllocation, bytes);
        if (bytes > maxPayloadBytes + sizeof(float))
            report.Find($"frame reader: one frame allocated {bytes} bytes, over the limit of {maxPayloadBytes}: {Convert.ToHexString(input)}");
    }

    private static void Try(FuzzReport report, string parser, byte[] input, Action parse)
    {
        try
        {
            parse();
        }
        catch (FrameProtocolException e)
        {
            report.Reject($"{parser}: {Reason(e.Message)}");
        }
        catch (EndOfStreamException)
        {
            report.Reject($"{parser}: closed mid-frame");
        }
        catch (Exception e)
        {
            report.Find($"{parser}: {e.GetType().Name}: {e.Message} on input {Convert.ToHexString(input)}");
        }
    }

    /// <summary>A refusal's message with its numbers as N, so that refusals of one kind count together.</summary>
    private static string Reason(string message) => Numbers().Replace(message, "N");

    [GeneratedRegex(@"(?<![A-Za-z]-)\b(0x[0-9A-Fa-f]+|\d+)\b")]
    private static partial Regex Numbers();
}
