namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// A pooled payload sent to several connections at once (the parameter server's weights go to every
/// worker). It goes back to its pool when its owner has released it and every send holding it has
/// been written: the memory must not be reused while a writer thread may still copy from it.
/// </summary>
public sealed class SharedPayload
{
    private readonly PayloadPool _pool;
    private readonly Action _release;
    private int _holders = 1;

    /// <summary>A payload of <paramref name="length"/> floats rented from <paramref name="pool"/>, held by its owner.</summary>
    public SharedPayload(PayloadPool pool, int length)
    {
        _pool = pool;
        _release = Release;
        Array = pool.Rent(length);
    }

    public float[] Array { get; private set; }

    /// <summary>The owner, if it has not released it, plus the sends not yet written; 0 once back in the pool.</summary>
    public int Holders => Volatile.Read(ref _holders);

    /// <summary>Queues the payload on <paramref name="connection"/>, holding it until the frame is written; false when closed.</summary>
    public bool SendOn(TensorConnection connection, FrameHeader header)
    {
        Interlocked.Increment(ref _holders);
        if (connection.Send(header, Array, _release)) return true;
        Release();
        return false;
    }

    /// <summary>The owner's release; after it, the owner must not touch <see cref="Array"/>.</summary>
    public void Release()
    {
        // Read before letting go: once no one holds it, the owner may reuse this object with another array.
        var array = Array;
        int left = Interlocked.Decrement(ref _holders);
        if (left == 0) _pool.Return(array);
        else if (left < 0) throw new InvalidOperationException("a shared payload was released more often than it was held");
    }

    /// <summary>
    /// Holds this object again with a fresh array from its pool, for an owner that sends a payload of the same length every
    /// step without allocating; false, and nothing changed, while the last array is still held by anyone.
    /// </summary>
    public bool TryReuse()
    {
        if (Interlocked.CompareExchange(ref _holders, 1, 0) != 0) return false;
        Array = _pool.Rent(Array.Length);
        return true;
    }
}
