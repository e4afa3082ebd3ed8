namespace DistTrainer.Benchmarks;

/// <summary>Counts one-way payloads as the receiving side handles them and lets the sending side wait for as many as it sent.</summary>
public sealed class DeliveryCounter : IDisposable
{
    private readonly ManualResetEventSlim _allDelivered = new();
    private int _delivered, _awaited = int.MaxValue;

    /// <summary>Starts a new count that is complete at <paramref name="payloads"/> deliveries.</summary>
    public void Expect(int payloads)
    {
        _allDelivered.Reset();
        Volatile.Write(ref _delivered, 0);
        Volatile.Write(ref _awaited, payloads);
    }

    /// <summary>Called by the receiving side, on any thread, once per payload handled.</summary>
    public void Delivered()
    {
        if (Interlocked.Increment(ref _delivered) == Volatile.Read(ref _awaited)) _allDelivered.Set();
    }

    /// <summary>False when the expected count did not arrive within <paramref name="patience"/>.</summary>
    public bool Wait(TimeSpan patience) => _allDelivered.Wait(patience);

    public void Dispose() => _allDelivered.Dispose();
}
