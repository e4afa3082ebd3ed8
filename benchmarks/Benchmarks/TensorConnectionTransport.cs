using System.Diagnostics;
using System.Runtime.InteropServices;
using DistTrainer.Shared.Cluster.DataPlane;

namespace DistTrainer.Benchmarks;

/// <summary>
/// The data plane measured end to end: a <see cref="TensorListener"/> and a <see cref="TensorClient"/>
/// connection on loopback. The listening side counts one-way frames and echoes round-trip frames; every
/// received payload goes back to the pool once handled, as the parameter server and workers are meant to.
/// </summary>
public static class TensorConnectionTransport
{
    private const FrameKind OneWay = FrameKind.Gradients, Echoed = FrameKind.Weights;
    private const int Windows = 3;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static TransportFigures Measure(int floats, TimeSpan window)
    {
        int delivered = 0, awaited = int.MaxValue;
        using var allDelivered = new ManualResetEventSlim();
        using var echoes = new SemaphoreSlim(0);
        var accepted = new TaskCompletionSource<TensorConnection>();
        using var listener = new TensorListener("127.0.0.1", 0, c => accepted.TrySetResult(c),
            reason => accepted.TrySetException(new InvalidOperationException(reason)));
        using var client = TensorClient.Connect("127.0.0.1", listener.Port, "benchmark", TimeSpan.FromSeconds(5), retries: 0);
        using var server = accepted.Task.Wait(Patience) ? accepted.Task.Result : throw new TimeoutException($"no connection within {Patience}");
        var pool = PayloadPool.Shared;
        server.Start((connection, frame) =>
        {
            if (frame.Header.Kind == Echoed)
            {
                connection.Send(frame.Header, frame.Payload, () => pool.Return(frame.Payload));
                return;
            }
            pool.Return(frame.Payload);
            if (Interlocked.Increment(ref delivered) == Volatile.Read(ref awaited)) allDelivered.Set();
        }, (_, _) => { });
        client.Start((_, frame) =>
        {
            pool.Return(frame.Payload);
            echoes.Release();
        }, (_, _) => { });

        var payload = new float[floats];
        new Random(1).NextBytes(MemoryMarshal.AsBytes(payload.AsSpan()));

        double RoundTrip()
        {
            long start = Stopwatch.GetTimestamp();
            client.Send(new FrameHeader(Echoed), payload);
            if (!echoes.Wait(Patience)) throw new TimeoutException($"no echo within {Patience}: {client.CloseReason?.Message}");
            return Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        double OneWaySeconds(int frames)
        {
            allDelivered.Reset();
            Volatile.Write(ref delivered, 0);
            Volatile.Write(ref awaited, frames);
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < frames; i++) client.Send(new FrameHeader(OneWay, Step: i), payload);
            if (!allDelivered.Wait(Patience)) throw new TimeoutException($"{frames} frames not delivered within {Patience}: {server.CloseReason?.Message}");
            return Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        // Warm-up, and an estimate of how many frames fill a window.
        for (int i = 0; i < 20; i++) RoundTrip();
        int framesPerWindow = Math.Max(10, (int)(20 * window.TotalSeconds / OneWaySeconds(20)));
        double bestSeconds = Enumerable.Range(0, Windows).Min(_ => OneWaySeconds(framesPerWindow));

        var roundTrips = new List<double>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < window) roundTrips.Add(RoundTrip());

        return new TransportFigures(framesPerWindow * floats * 4.0 / bestSeconds / 1e9, Statistics.Median(roundTrips) * 1e6);
    }
}
