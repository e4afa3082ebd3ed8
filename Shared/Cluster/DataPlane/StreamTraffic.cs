namespace DistTrainer.Cluster.DataPlane;

/// <summary>
/// One data-plane stream's bytes over the run, named by its ends: worker <paramref name="Worker"/> (null: the step's master) and
/// key range <paramref name="Range"/>'s server (null: the master). Counted at the end that serves it: a worker's stream to the
/// master at the master, a worker's stream to a range at the range's server, the master's link to a range at the master.
/// </summary>
public readonly record struct StreamTraffic(string? Worker, int? Range, DataPlaneTraffic Traffic)
{
    /// <summary>The bytes the workers' streams in <paramref name="streams"/> carried, the master's links to its ranges left out.</summary>
    public static DataPlaneTraffic OfWorkers(IEnumerable<StreamTraffic> streams) =>
        streams.Where(stream => stream.Worker is not null).Aggregate(default(DataPlaneTraffic), (total, stream) => total.Plus(stream.Traffic));
}
