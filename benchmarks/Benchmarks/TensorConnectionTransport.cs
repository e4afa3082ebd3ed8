using System.Diagnostics;
using System.Runtime.InteropServices;
using DistTrainer.Cluster.DataPlane;

namespace DistTrainer.Benchmarks;

/// <summary>
/// The data plane measured end to end: a <see cref="TensorListener"/> and a <see cref="TensorClient"/>
/// connection on loopback. The listening side counts one-way frames and echoes round-trip frames; every
/// received payload goes back to the pool once handled, as the parameter server and workers are meant to.
/// </summary>
public static class TensorConnectionTransport
{
    private const FrameKind OneWay = FrameKind.Gradients, Echoed = FrameKind.Weights;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static TransportFigures Measure(int floats, TimeSpan window) => Measure(floats, window, new DataPlaneOptions(), new DataPlaneOptions());

    /// <summary>As <see cref="Measure(int, TimeSpan)"/>, each side with its own options (both with TLS, or both in clear).</summary>
    public static TransportFigures Measure(int floats, TimeSpan window, DataPlaneOptions listenerOptions, DataPlaneOptions clientOptions)
    {
        using var deliveries = new DeliveryCounter();
        using var echoes = new SemaphoreSlim(0);
        var accepted = new TaskCompletionSource<TensorConnection>();
        using var listener = new TensorListener("127.0.0.1", 0, c => accepted.TrySetResult(c),
            reason => accepted.TrySetException(new InvalidOperationException(reason)), listenerOptions);
        using var client = TensorClient.Connect("127.0.0.1", listener.Port, "benchmark", TimeSpan.FromSeconds(5), retries: 0, clientOptions);
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
            deliveries.Delivered();
        }, (_, _) => { });
        client.Start((_, frame) =>
        {
            pool.Return(frame.Payload);
            echoes.Release();
        }, (_, _) => { });

        var payload = new float[floats];
        new Random(1).NextBytes(MemoryMarshal.AsBytes(payload.AsSpan()));
        // Back to back, but never more queued than the send queue's byte bound, which closes a connection whose peer falls behind.
        using var queued = new SemaphoreSlim((int)Math.Max(1, clientOptions.Bounds.SendQueueBytes / ((long)floats * sizeof(float))));

        double RoundTrip()
        {
            long start = Stopwatch.GetTimestamp();
            client.Send(new FrameHeader(Echoed), payload);
            if (!echoes.Wait(Patience)) throw new TimeoutException($"no echo within {Patience}: {client.CloseReason?.Message}");
            return Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        double OneWaySeconds(int frames)
        {
            deliveries.Expect(frames);
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < frames; i++)
            {
                if (!queued.Wait(Patience)) throw new TimeoutException($"frame {i} not taken within {Patience}: {client.CloseReason?.Message}");
                client.Send(new FrameHeader(OneWay, Step: i), payload, () => queued.Release());
            }
            if (!deliveries.Wait(Patience)) throw new TimeoutException($"{frames} frames not delivered within {Patience}: {server.CloseReason?.Message}");
            return Stopwatch.GetElapsedTime(start).TotalSeconds;
        }

        return TransportMeasurement.Run(floats, window, RoundTrip, OneWaySeconds);
    }
}
