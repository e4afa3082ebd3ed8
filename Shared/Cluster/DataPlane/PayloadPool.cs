using System.Collections.Concurrent;

namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// Payload arrays of exact lengths, reused. A training run moves the same few tensor sizes every step,
/// and a fresh multi-megabyte array per frame costs a full garbage collection every few frames (measured:
/// loopback throughput falls from ~3.6 to ~0.8 GB/s). Receivers rent each payload from here; the owner
/// hands an array back with <see cref="Return"/> once nothing reads it any more. Returning is optional (an
/// array never returned is simply collected), but returning one twice, or using it after returning it,
/// lets two frames share memory.
/// </summary>
public sealed class PayloadPool(int arraysPerLength = 32)
{
    private readonly ConcurrentDictionary<int, ConcurrentQueue<float[]>> _free = new();

    /// <summary>The pool connections use unless <see cref="DataPlaneOptions.Payloads"/> names another.</summary>
    public static PayloadPool Shared { get; } = new();

    /// <summary>An array of exactly <paramref name="length"/> floats, with arbitrary contents.</summary>
    public float[] Rent(int length)
    {
        if (length == 0) return [];
        return _free.TryGetValue(length, out var arrays) && arrays.TryDequeue(out var array)
            ? array
            : GC.AllocateUninitializedArray<float>(length);
    }

    public void Return(float[] array)
    {
        if (array.Length == 0) return;
        var arrays = _free.GetOrAdd(array.Length, _ => new ConcurrentQueue<float[]>());
        if (arrays.Count < arraysPerLength) arrays.Enqueue(array);
    }
}
