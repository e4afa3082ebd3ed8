using System.Collections.Concurrent;

namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// Payload arrays of exact lengths, reused. A training run moves the same few tensor sizes every step,
/// and a fresh multi-megabyte array per frame costs a full garbage collection every few frames (measured:
/// loopback throughput falls from ~3.6 to ~0.8 GB/s). Receivers rent each payload from here; the owner
/// hands an array back with <see cref="Return"/> once nothing reads it any more. Returning is optional (an
/// array never returned is simply collected), but returning one twice, or using it after returning it,
/// lets two frames share memory. The free arrays kept are bounded in bytes and in count per length: one
/// returned beyond either bound is left to the collector, so the pool gives memory back.
/// </summary>
/// <param name="capacityBytes">The most bytes of free arrays kept; by default the shipped payload-pool-bytes.</param>
/// <param name="arraysPerLength">The most free arrays kept of one length.</param>
public sealed class PayloadPool(long? capacityBytes = null, int arraysPerLength = 32)
{
    private readonly ConcurrentDictionary<int, ConcurrentQueue<float[]>> _free = new();
    private readonly long _capacityBytes = capacityBytes ?? DataPlaneBounds.Default.PayloadPoolBytes;
    private long _pooledBytes;
    private long _allocatedBytes;

    /// <summary>The pool connections use unless <see cref="DataPlaneOptions.Payloads"/> names another.</summary>
    public static PayloadPool Shared { get; } = new();

    /// <summary>The most bytes of free arrays kept.</summary>
    public long CapacityBytes => _capacityBytes;

    /// <summary>Bytes of the free arrays kept now.</summary>
    public long PooledBytes => Interlocked.Read(ref _pooledBytes);

    /// <summary>Bytes of the arrays <see cref="Rent"/> had to allocate because none was free, over the pool's life.</summary>
    public long AllocatedBytes => Interlocked.Read(ref _allocatedBytes);

    /// <summary>An array of exactly <paramref name="length"/> floats, with arbitrary contents.</summary>
    public float[] Rent(int length)
    {
        if (length == 0) return [];
        if (_free.TryGetValue(length, out var arrays) && arrays.TryDequeue(out var array))
        {
            Interlocked.Add(ref _pooledBytes, -Bytes(array));
            return array;
        }
        Interlocked.Add(ref _allocatedBytes, (long)length * sizeof(float));
        return GC.AllocateUninitializedArray<float>(length);
    }

    public void Return(float[] array)
    {
        if (array.Length == 0) return;
        var arrays = _free.GetOrAdd(array.Length, _ => new ConcurrentQueue<float[]>());
        if (arrays.Count >= arraysPerLength) return;
        long bytes = Bytes(array);
        // Reserve first, so that concurrent returns never keep more than the capacity between them.
        if (Interlocked.Add(ref _pooledBytes, bytes) > _capacityBytes)
        {
            Interlocked.Add(ref _pooledBytes, -bytes);
            return;
        }
        arrays.Enqueue(array);
    }

    private static long Bytes(float[] array) => (long)array.Length * sizeof(float);
}
