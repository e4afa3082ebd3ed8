using DistTrainer.Core.Training.Sharding;

namespace DistTrainer.Coordinator.ParameterServer;

/// <summary>
/// What the parameter server checks of a shard result beyond its form. Who sent it: a shard is taken only
/// from a worker it was assigned to in the step's attempt (first, or on reassignment), and never again from
/// one whose result for it was rejected; anything else is dropped and counted. What it holds: once every
/// shard of the step is in, the <see cref="ShardNormRule"/> names the outliers, except a shard whose norm a
/// second worker already got alike (shard results are deterministic: that is the data, not a faulty worker). An
/// outlier is only a suspicion until another worker has computed its shard: <see cref="Reviews"/> then tells which.
/// </summary>
public sealed class ShardScreening(ShardNormRule rule)
{
    /// <summary>How close two workers' norms of one shard must be to count as the same result.</summary>
    private const double SameNormTolerance = 1e-3;

    private long _step = -1;
    private int _attempt;
    private List<string>[] _assigned = [];
    private string[] _senders = [];
    private List<(string Worker, double Norm)>[] _outlierNorms = [];
    private double[] _meanNorms = [], _ratios = [];
    private int[] _rows = [];

    public ShardNormRule Rule => rule;

    /// <summary>Results dropped because their worker was not assigned their shard, over the whole run.</summary>
    public long Unassigned { get; private set; }

    public void Begin(BeginStep begin)
    {
        (_step, _attempt) = (begin.Step, begin.Attempt);
        _assigned = begin.AssignedTo.Select(worker => new List<string> { worker }).ToArray();
        _senders = new string[begin.Shards.Length];
        _outlierNorms = begin.Shards.Select(_ => new List<(string, double)>()).ToArray();
        _meanNorms = new double[begin.Shards.Length];
        _ratios = new double[begin.Shards.Length];
        _rows = begin.Shards.Select(s => s.Count).ToArray();
    }

    public void Reassigned(ShardReassigned reassigned)
    {
        if (Current(reassigned.Step, reassigned.Attempt, reassigned.ShardId)) _assigned[reassigned.ShardId].Add(reassigned.WorkerId);
    }

    /// <summary>
    /// False (counted) when <paramref name="worker"/> may not send this shard of the step's attempt now being
    /// aggregated; results for other attempts or shards that do not exist are the aggregator's to drop.
    /// </summary>
    public bool Admits(long step, int attempt, int shardId, string worker)
    {
        if (Assigned(step, attempt, shardId, worker)) return true;
        Unassigned++;
        return false;
    }

    /// <summary>
    /// The same check as <see cref="Admits"/>, not counted: for the pieces of a result (key ranges), whose head is counted.
    /// </summary>
    public bool Assigned(long step, int attempt, int shardId, string worker) =>
        !Current(step, attempt, shardId) || _assigned[shardId].Contains(worker);

    public void Accepted(int shardId, string worker) => _senders[shardId] = worker;

    /// <summary>
    /// The worker whose result was taken for each shard of the attempt now aggregated, in shard order; each attempt gets
    /// a list of its own, so the list of an applied step stays as it was when the next step begins.
    /// </summary>
    public IReadOnlyList<string> Senders => _senders;

    /// <summary>The worker's result for the shard was rejected: its next one for that shard is not taken.</summary>
    public void Rejected(long step, int attempt, int shardId, string worker)
    {
        if (Current(step, attempt, shardId)) _assigned[shardId].RemoveAll(w => w == worker);
    }

    /// <summary>The shards of the complete step in <paramref name="aggregator"/> that are outliers, in shard order.</summary>
    public IReadOnlyList<ShardOutlier> Outliers(StepAggregator aggregator)
    {
        int stepRows = _rows.Sum();
        for (int i = 0; i < _rows.Length; i++)
            _meanNorms[i] = ShardNormRule.MeanNorm(aggregator.GradientNorm(i), _rows[i], stepRows);
        if (!rule.Judge(_meanNorms, _rows, _ratios)) return [];
        var outliers = new List<ShardOutlier>();
        for (int i = 0; i < _rows.Length; i++)
        {
            if (!rule.IsOutlier(_ratios[i]) || SeenElsewhere(i)) continue;
            _outlierNorms[i].Add((_senders[i], _meanNorms[i]));
            outliers.Add(new ShardOutlier(i, _senders[i], _ratios[i]));
        }
        return outliers;
    }

    /// <summary>
    /// For the complete step that <see cref="Outliers"/> last found clean: each result judged an outlier in it, against
    /// the result taken for its shard.
    /// </summary>
    public IEnumerable<OutlierReview> Reviews()
    {
        for (int i = 0; i < _outlierNorms.Length; i++)
            foreach (var (worker, norm) in _outlierNorms[i])
                if (worker != _senders[i]) yield return new OutlierReview(i, worker, !SameNorm(norm, _meanNorms[i]));
    }

    /// <summary>The step judged last was applied: its shards' norms are history for the steps of fewer shards.</summary>
    public void Applied() => rule.Applied(_meanNorms, _ratios);

    private bool SeenElsewhere(int shardId) =>
        _outlierNorms[shardId].Any(seen => seen.Worker != _senders[shardId] && SameNorm(seen.Norm, _meanNorms[shardId]));

    // An infinite norm (squares that overflow) is the same only as another infinite one: infinity is within any tolerance of anything.
    private static bool SameNorm(double a, double b) =>
        a == b || (double.IsFinite(a) && double.IsFinite(b) && Math.Abs(a - b) <= SameNormTolerance * Math.Max(a, b));

    private bool Current(long step, int attempt, int shardId) =>
        step == _step && attempt == _attempt && (uint)shardId < (uint)_assigned.Length;
}
