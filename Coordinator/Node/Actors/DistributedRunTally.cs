using System.Diagnostics;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Coordinator.ParameterServer;
using DistTrainer.Coordinator.Scheduling;
using DistTrainer.Core.Training;

namespace DistTrainer.Coordinator.Actors;

/// <summary>
/// What a distributed run's report counts beyond the run meter: the steps applied, each step's seconds from
/// its plan going out to its weights applied, where the applied steps' time went, and the parameter
/// server's latest counts of dropped results and data-plane bytes, and its streams' bytes at the first step applied, which the
/// last step's are measured from: the start-up's transfers (the first weights, a range handed over) are not a step's.
/// </summary>
public sealed class DistributedRunTally
{
    private readonly AppliedStepLog _applied = new();
    private AggregationCounts _dropped;
    private IReadOnlyList<StreamTraffic>? _firstStreams;
    private IReadOnlyList<StreamTraffic> _lastStreams = [];
    private double _computeSeconds, _exchangeSeconds, _applySeconds;
    private long _stepStarted;
    private (long Step, double Seconds, double Compute, ServerTimes Server) _last;

    public int StepsApplied => _applied.Count;

    private DataPlaneTraffic WorkersTraffic => StreamTraffic.OfWorkers(_lastStreams);

    /// <summary>A plan of the step goes out now; a step planned again starts its time again.</summary>
    public void StepStarted() => _stepStarted = Stopwatch.GetTimestamp();

    /// <summary>Counts <paramref name="applied"/>, the step of <paramref name="plan"/>; returns its seconds since it started.</summary>
    public double Applied(StepApplied applied, StepPlan plan)
    {
        _dropped = applied.Counts;
        _firstStreams ??= applied.Streams;
        _lastStreams = applied.Streams;
        _applied.Add(applied.Step);
        _computeSeconds += plan.SlowestComputeSeconds;
        _exchangeSeconds += applied.Times.ExchangeSeconds;
        _applySeconds += applied.Times.ApplySeconds;
        double seconds = Stopwatch.GetElapsedTime(_stepStarted).TotalSeconds;
        _last = (applied.Step, seconds, plan.SlowestComputeSeconds, applied.Times);
        return seconds;
    }

    /// <summary>The last applied step's times with the run's counts so far, for the run's observer.</summary>
    public ClusterStepReport LastStep(long reassigned, long restarts, int workersReady, int workersLost) =>
        new(_last.Step, _last.Seconds, _last.Compute, _last.Server.ExchangeSeconds, _last.Server.ApplySeconds, reassigned,
            restarts, _dropped.Duplicates, _dropped.Late, _dropped.Rejected, WorkersTraffic.BytesSent, WorkersTraffic.BytesReceived,
            workersReady, workersLost);

    /// <summary>
    /// The run's report, with the meter's result and training seconds, the scheduler's and roster's counts, and each node's bytes
    /// per step after the first as <paramref name="nodes"/> places the streams (none before two steps).
    /// </summary>
    public DistributedRunReport Report(TrainingResult result, double trainingSeconds, long reassigned, long restarts,
        IReadOnlyList<string> lost, IReadOnlyDictionary<string, long> shardsPerWorker, IReadOnlyList<string> quarantined, NodeTraffic nodes) =>
        new(result, _dropped, reassigned, restarts, lost, new Dictionary<string, long>(shardsPerWorker), _applied,
            new StepTimes(trainingSeconds, _computeSeconds, _exchangeSeconds, _applySeconds), WorkersTraffic, quarantined.ToList(),
            _firstStreams is { } first && _applied.Count > 1 ? nodes.PerStep(first, _lastStreams, _applied.Count - 1) : []);
}
