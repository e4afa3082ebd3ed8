using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// Payload arrays of exact lengths, reused. A training run moves the same few tensor sizes every step,
/// and a fresh multi-megabyte array per frame costs a full garbage collection every few frames (measured:
/// loopback throughput falls from ~3.6 to ~0.8 GB/s). Receivers rent each payload from here; the owner
/// hands an array back with <see cref="Return"/> once nothing reads it any more. Returning is optional (an
/// array never returned is simply collected), but returning one twice, or using it after returning it,
/// lets two frames share memory. The free arrays kept are bounded in bytes and in count per length: one
/// returned beyond either bound is left to the collector. Free arrays the run did not need for a while are
/// released too: over each period of <c>idleRelease</c>, the fewest free arrays a length had were never rented in
/// that period, so that many are dropped at its end; a burst (a lost worker's queued frames coming back at once)
/// leaves the pool within two periods instead of holding its memory for the rest of the run.
/// </summary>
/// <param name="capacityBytes">The most bytes of free arrays kept; by default the shipped payload-pool-bytes.</param>
/// <param name="arraysPerLength">
/// The most free arrays kept of one length, or as many as fit in <paramref name="lengthBytes"/> where that is more. Key ranges
/// cut equal give one small length to most frames a range's node receives: it holds a step's N-1 parts until the next step
/// begins while the next step's parts and the N ranges' weights come in. At 32 a node of 16 workers missed every step,
/// and each miss is a fresh array in the young generation, whose collections stop every thread of the process (every node
/// of an embedded or simulated cluster). Model-sized arrays keep the count bound; the byte bound holds either way.
/// </param>
/// <param name="lengthBytes">The bytes of free arrays of one length kept whatever their count (16 MiB), within the capacity.</param>
/// <param name="idleRelease">The period over which unneeded free arrays are found and released; by default the shipped payload-pool-idle.</param>
/// <param name="time">The clock of those periods.</param>
public sealed class PayloadPool
{
    private readonly ConcurrentDictionary<int, Bucket> _free = new();
    private readonly long _capacityBytes;
    private readonly int _arraysPerLength;
    private readonly long _lengthBytes;
    private readonly TimeProvider _time;
    private readonly long _periodTicks;
    private long _nextRelease;
    private long _pooledBytes;
    private long _allocatedBytes;

    public PayloadPool(long? capacityBytes = null, int arraysPerLength = 32, long lengthBytes = 16 << 20, TimeSpan? idleRelease = null,
        TimeProvider? time = null)
    {
        _capacityBytes = capacityBytes ?? DataPlaneBounds.Default.PayloadPoolBytes;
        _arraysPerLength = arraysPerLength;
        _lengthBytes = lengthBytes;
        _time = time ?? TimeProvider.System;
        _periodTicks = (long)((idleRelease ?? DataPlaneBounds.Default.PayloadPoolIdle).TotalSeconds * _time.TimestampFrequency);
        _nextRelease = _time.GetTimestamp() + _periodTicks;
    }

    /// <summary>The pool connections use unless <see cref="DataPlaneOptions.Payloads"/> names another.</summary>
    public static PayloadPool Shared { get; } = new();

    /// <summary>The most bytes of free arrays kept.</summary>
    public long CapacityBytes => _capacityBytes;

    /// <summary>Bytes of the free arrays kept now.</summary>
    public long PooledBytes => Interlocked.Read(ref _pooledBytes);

    /// <summary>Bytes of the arrays <see cref="Rent"/> had to allocate because none was free, over the pool's life.</summary>
    public long AllocatedBytes => Interlocked.Read(ref _allocatedBytes);

    /// <summary>
    /// The array a received frame of <paramref name="payloadBytes"/> is held in: whole floats (a text payload rounds up),
    /// the padding after the payload zeroed, the payload itself for the caller to fill.
    /// </summary>
    public float[] RentForFrame(int payloadBytes)
    {
        var array = Rent((payloadBytes + sizeof(float) - 1) / sizeof(float));
        MemoryMarshal.AsBytes(array.AsSpan())[payloadBytes..].Clear();
        return array;
    }

    /// <summary>An array of exactly <paramref name="length"/> floats, with arbitrary contents.</summary>
    public float[] Rent(int length)
    {
        if (length == 0) return [];
        if (_free.TryGetValue(length, out var bucket) && bucket.Arrays.TryDequeue(out var array))
        {
            Interlocked.Add(ref _pooledBytes, -Bytes(array));
            bucket.Seen(bucket.Arrays.Count);
            return array;
        }
        Interlocked.Add(ref _allocatedBytes, (long)length * sizeof(float));
        return GC.AllocateUninitializedArray<float>(length);
    }

    /// <summary>
    /// Keeps <paramref name="array"/> for a later <see cref="Rent"/>, within the bounds; an array another end of this
    /// process lent (a frame handed over in memory) goes back to its sender instead.
    /// </summary>
    public void Return(float[] array)
    {
        if (array.Length == 0 || LentPayloads.GiveBack(array)) return;
        var bucket = _free.GetOrAdd(array.Length, _ => new Bucket());
        long bytes = Bytes(array);
        if (bucket.Arrays.Count < Math.Max(_arraysPerLength, _lengthBytes / bytes))
        {
            // Reserve first, so that concurrent returns never keep more than the capacity between them.
            if (Interlocked.Add(ref _pooledBytes, bytes) > _capacityBytes)
                Interlocked.Add(ref _pooledBytes, -bytes);
            else
                bucket.Arrays.Enqueue(array);
        }
        ReleaseIdleWhenDue();
    }

    /// <summary>At the end of a period (one caller only), drops each length's fewest free arrays of the period and starts the next.</summary>
    private void ReleaseIdleWhenDue()
    {
        long due = Interlocked.Read(ref _nextRelease);
        long now = _time.GetTimestamp();
        if (now < due || Interlocked.CompareExchange(ref _nextRelease, now + _periodTicks, due) != due) return;
        foreach (var bucket in _free.Values)
        {
            int idle = bucket.StartPeriod();
            for (int i = 0; i < idle && bucket.Arrays.TryDequeue(out var array); i++)
                Interlocked.Add(ref _pooledBytes, -Bytes(array));
            bucket.Seen(bucket.Arrays.Count);
        }
    }

    private static long Bytes(float[] array) => (long)array.Length * sizeof(float);

    /// <summary>The free arrays of one length, and the fewest there were since the period began.</summary>
    private sealed class Bucket
    {
        private int _fewest;

        public ConcurrentQueue<float[]> Arrays { get; } = new();

        public void Seen(int count)
        {
            int fewest = Volatile.Read(ref _fewest);
            while (count < fewest)
            {
                int seen = Interlocked.CompareExchange(ref _fewest, count, fewest);
                if (seen == fewest) return;
                fewest = seen;
            }
        }

        /// <summary>The fewest free arrays of the period that ends; the next one counts from none seen.</summary>
        public int StartPeriod() => Interlocked.Exchange(ref _fewest, int.MaxValue);
    }
}
