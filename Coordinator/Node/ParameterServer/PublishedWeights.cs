using DistTrainer.Cluster.DataPlane;

namespace DistTrainer.Coordinator.ParameterServer;

/// <summary>
/// The weights as sent: a pooled copy, since a send reads its memory later, on the writer thread,
/// while the optimizer already works on the next step. Publishing a version releases the copy of the
/// one before, which goes back to the pool once the last send holding it is written.
/// </summary>
public sealed class PublishedWeights
{
    private readonly PayloadPool _pool;

    /// <summary>Publishes <paramref name="parameters"/> as the first version.</summary>
    public PublishedWeights(PayloadPool pool, ReadOnlySpan<float> parameters)
    {
        _pool = pool;
        Current = Copy(parameters);
    }

    /// <summary>The copy every send of the current version shares.</summary>
    public SharedPayload Current { get; private set; }

    public void Publish(ReadOnlySpan<float> parameters)
    {
        var previous = Current;
        Current = Copy(parameters);
        previous.Release();
    }

    private SharedPayload Copy(ReadOnlySpan<float> parameters)
    {
        var copy = new SharedPayload(_pool, parameters.Length);
        parameters.CopyTo(copy.Array);
        return copy;
    }
}
