
namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// The weights as sent, and the next version being written. A send reads its memory later (a writer thread, or a worker
/// of this process reading the lent array itself), so a version once sent is never written again: a step writes its new
/// weights into a pooled array of their own (<see cref="Next"/>), which becomes the version sent when the step is applied
/// (<see cref="PublishNext"/>), with no copy. The version before goes back to the pool once the last send holding it is
/// written; the object is used again for a later version once nothing holds it, so a step allocates nothing. A refused
/// step's array is written again by the next step.
/// </summary>
public sealed class PublishedWeights
{
    private readonly PayloadPool _pool;
    private SharedPayload? _next, _spare;

    /// <summary>Publishes a copy of <paramref name="parameters"/> as the first version.</summary>
    public PublishedWeights(PayloadPool pool, ReadOnlySpan<float> parameters)
    {
        _pool = pool;
        Current = new SharedPayload(pool, parameters.Length);
        parameters.CopyTo(Current.Array);
    }

    /// <summary>The version every send shares; read-only.</summary>
    public SharedPayload Current { get; private set; }

    /// <summary>The array the next version is written into, not yet sent to anyone.</summary>
    public float[] Next => (_next ??= Reused() ?? new SharedPayload(_pool, Current.Array.Length)).Array;

    /// <summary>Makes <see cref="Next"/>, written whole, the current version.</summary>
    public void PublishNext()
    {
        var previous = Current;
        Current = _next ?? throw new InvalidOperationException("no next version of the weights was written");
        _next = null;
        previous.Release();
        _spare = previous;
    }

    private SharedPayload? Reused()
    {
        var spare = _spare;
        _spare = null;
        return spare is not null && spare.TryReuse() ? spare : null;
    }
}
