using DistTrainer.Cluster.Protocol;
using DistTrainer.Coordinator.Actors;
using DistTrainer.Coordinator.ParameterServer;
using DistTrainer.Coordinator.Roster;
using DistTrainer.Core.Data;
using DistTrainer.Core.Training;
using DistTrainer.Core.Training.Sharding;
using Serilog;

namespace DistTrainer.Coordinator.Scheduling;

/// <summary>
/// Decides who computes what: each step's global batch from the seeded sampler, cut into the job's logical
/// shards (their number and sizes fixed by the job, so that no fault changes a step's arithmetic) that go to the
/// ready workers in proportion to their throughput, or equally (without logical shards, a test's setting: one shard per
/// ready worker sized that way); the next steps planned and sent ahead; and what becomes of a shard that does not come
/// in: another worker, or the end of the run after too many failures or a divergence. It returns its decisions; the
/// coordinator actor sends them.
/// </summary>
public sealed class StepScheduler
{
    private readonly CoordinatorSettings _settings;
    private readonly ILogger _log;
    private readonly BatchSampler _sampler;
    private readonly List<StepPlan> _ahead = [];
    private int _failuresThisStep;

    public StepScheduler(CoordinatorSettings settings, ILogger log)
    {
        _settings = settings;
        _log = log;
        _sampler = new BatchSampler(settings.TrainCount, settings.BatchSize, settings.Shuffle, settings.Job.Seed);
    }

    public int BatchesPerEpoch => _sampler.BatchesPerEpoch;

    /// <summary>The plan of the step being trained (after it is applied, until the next starts); null once the run ended.</summary>
    public StepPlan? Current { get; private set; }

    public long Reassigned { get; private set; }
    public long Restarts { get; private set; }

    /// <summary>
    /// Makes <paramref name="step"/> current: the plan sent ahead if all its workers are still ready, else a new plan
    /// (a new attempt of the step). Then makes sure the <paramref name="lookAhead"/> steps after it have plans out, each
    /// the one sent before if its workers are all still ready, else a new attempt, so that workers start each as soon as
    /// its weights arrive, without a round trip through the coordinator. <paramref name="ready"/> must not be empty.
    /// Returns the plans to send, in step order.
    /// </summary>
    public IReadOnlyList<PlanDispatch> Start(long step, IReadOnlyList<WorkerEntry> ready, int lookAhead)
    {
        var dispatches = new List<PlanDispatch>(2);
        var sentAhead = _ahead.Find(p => p.Step == step);
        var previous = sentAhead ?? (Current is { } p && p.Step == step ? p : null);
        _ahead.RemoveAll(p => p.Step <= step);
        if (sentAhead is not null && AllReady(sentAhead, ready))
            Current = sentAhead;
        else
        {
            // A plan is never sent twice: a new cut of the same step is a new attempt.
            if (previous is not null) Restarts++;
            Current = Plan(step, previous is null ? 0 : previous.Attempt + 1, ready, previous);
            dispatches.Add(Dispatch(Current, ready));
        }
        for (long next = step + 1; next <= step + lookAhead; next++)
        {
            int at = _ahead.FindIndex(p => p.Step == next);
            if (at >= 0 && AllReady(_ahead[at], ready)) continue;
            var stale = at >= 0 ? _ahead[at] : null;
            var plan = Plan(next, stale is null ? 0 : stale.Attempt + 1, ready, stale);
            if (at >= 0) _ahead[at] = plan;
            else _ahead.Add(plan);
            dispatches.Add(Dispatch(plan, ready));
        }
        return dispatches;
    }

    private static bool AllReady(StepPlan plan, IReadOnlyList<WorkerEntry> ready) =>
        plan.AssignedTo.All(id => ready.Any(w => w.Id == id));

    /// <summary>Plans (another attempt of) a step over the ready workers, reusing the batch of an earlier plan of the same step.</summary>
    private StepPlan Plan(long step, int attempt, IReadOnlyList<WorkerEntry> ready, StepPlan? earlier)
    {
        int[] batch;
        if (earlier is not null) batch = earlier.Batch;
        else
        {
            var (epoch, index) = RunMeter.Position(step, _sampler.BatchesPerEpoch);
            batch = _sampler.Batch(epoch, index).ToArray();
        }
        var weights = ready.Select(w => _settings.Sizing == ShardSizing.Equal ? 1.0 : w.Throughput).ToArray();
        int minRows = _settings.BatchNorm ? 2 : 1;
        Shard[] shards;
        int[] owners;
        if (_settings.LogicalShards is { } logical)
        {
            shards = ShardSplitter.Split(batch.Length, Enumerable.Repeat(1.0, logical).ToArray(), minRows);
            owners = ShardOwners.Assign(shards.Length, weights);
        }
        else
        {
            shards = ShardSplitter.Split(batch.Length, weights, minRows);
            owners = Enumerable.Range(0, shards.Length).ToArray();
        }
        var plan = new StepPlan(step, attempt, batch, _settings.Normalizer(batch.Length), shards);
        for (int i = 0; i < shards.Length; i++) plan.AssignedTo[i] = ready[owners[i]].Id;
        return plan;
    }

    private static PlanDispatch Dispatch(StepPlan plan, IReadOnlyList<WorkerEntry> ready) =>
        new(new BeginStep(plan.Step, plan.Attempt, plan.Shards, plan.AssignedTo.ToArray()),
            plan.Shards.Select(shard => Assign(plan, shard, ready.First(w => w.Id == plan.AssignedTo[shard.Id]))).ToList());

    private static ShardAssignment Assign(StepPlan plan, Shard shard, WorkerEntry worker)
    {
        plan.AssignedTo[shard.Id] = worker.Id;
        return new ShardAssignment(worker, new ComputeShard(plan.Step, plan.Attempt, shard.Id, shard.Start,
            plan.Batch.AsSpan(shard.Start, shard.Count).ToArray(), plan.Normalizer));
    }

    /// <summary>Marks a shard of the current plan as in; false when the result is for another plan.</summary>
    public bool Arrived(ShardArrived arrived)
    {
        if (Current is not { } plan || arrived.Step != plan.Step || arrived.Attempt != plan.Attempt) return false;
        plan.Arrived[arrived.ShardId] = true;
        plan.SlowestComputeSeconds = Math.Max(plan.SlowestComputeSeconds, arrived.ComputeSeconds);
        return true;
    }

    /// <summary>
    /// Decides where a shard of the current plan that did not come in from <paramref name="worker"/> goes: the fastest
    /// ready worker other than that one (else the first ready), unless the step's shards have failed more than
    /// <see cref="CoordinatorSettings.MaxAttempts"/> times each. With synchronised batch norm too: the shards of the step
    /// still computing wait for the reassigned one's statistics, and those already offered are kept.
    /// </summary>
    public RetryDecision Retry(long step, int attempt, int shardId, string worker, string reason, IReadOnlyList<WorkerEntry> ready)
    {
        if (Current is not { } plan || step != plan.Step || attempt != plan.Attempt || (uint)shardId >= (uint)plan.Arrived.Length ||
            plan.Arrived[shardId])
            return new RetryDecision.Stale();
        _failuresThisStep++;
        _log.Warning("Step {Step} shard {Shard} on worker {Worker}: {Reason}", step + 1, shardId, worker, reason);
        if (_failuresThisStep > _settings.MaxAttempts * Math.Max(1, plan.Shards.Length))
            return new RetryDecision.GiveUp(
                $"step {step + 1}: shards failed {_failuresThisStep} times; last: shard {shardId} on worker {worker}: {reason}", FailureKind.Cluster);
        // No worker left: wait for one as at the start of a step, so the run ends after the worker timeout, not after retries.
        if (ready.Count == 0) return new RetryDecision.WaitForWorker();
        var target = ready.Where(w => w.Id != worker).OrderByDescending(w => w.Throughput).FirstOrDefault() ?? ready[0];
        Reassigned++;
        _log.Information("Step {Step} shard {Shard}: reassigned from worker {From} to {To}", step + 1, shardId, worker, target.Id);
        return new RetryDecision.Reassign(Assign(plan, plan.Shards[shardId], target));
    }

    /// <summary>
    /// A rejected shard is retried like a failed one. A non-finite one too, in case its worker's node is faulty; but when
    /// a second worker (or the only one) also gets NaN/Inf, the model itself has diverged: the run ends with the
    /// weights of the last applied step. An outlier had arrived before the parameter server judged its step: it is out again.
    /// </summary>
    public RetryDecision Rejected(ShardRejected rejected, IReadOnlyList<WorkerEntry> ready)
    {
        if (rejected.Verdict == ShardVerdict.Outlier && Current is { } plan && rejected.Step == plan.Step && rejected.Attempt == plan.Attempt &&
            (uint)rejected.ShardId < (uint)plan.Arrived.Length)
            plan.Arrived[rejected.ShardId] = false;
        return rejected.NotFinite && Divergence(rejected, ready.Count) is { } divergence
            ? new RetryDecision.GiveUp(divergence, FailureKind.NotFinite)
            : Retry(rejected.Step, rejected.Attempt, rejected.ShardId, rejected.WorkerId, $"rejected: {rejected.Reason}", ready);
    }

    private string? Divergence(ShardRejected rejected, int readyWorkers)
    {
        if (Current is not { } plan || rejected.Step != plan.Step) return null;
        var workers = plan.NotFiniteOn.GetValueOrDefault(rejected.ShardId) ?? [];
        workers.Add(rejected.WorkerId);
        plan.NotFiniteOn[rejected.ShardId] = workers;
        if (workers.Count < Math.Min(2, Math.Max(1, readyWorkers))) return null;
        var (epoch, batch) = RunMeter.Position(plan.Step, _sampler.BatchesPerEpoch);
        return $"the loss or a gradient became NaN/Inf at step {plan.Step + 1} (epoch {epoch + 1}, batch {batch + 1}) on " +
               $"{string.Join(" and ", workers)}; the weights of step {plan.Step} are kept";
    }

    /// <summary>The current plan if <paramref name="step"/> is its step (its failures are then forgiven), else null.</summary>
    public StepPlan? Applied(long step)
    {
        if (Current is not { } plan || step != plan.Step) return null;
        _failuresThisStep = 0;
        return plan;
    }

    /// <summary>
    /// Whether a plan of <paramref name="step"/> was sent ahead: its workers may be computing it already, and the parameter
    /// server applies it as soon as the step before it is in.
    /// </summary>
    public bool SentAhead(long step) => _ahead.Exists(p => p.Step == step);

    /// <summary>The run is over: no plan is current or sent ahead any more.</summary>
    public void End()
    {
        Current = null;
        _ahead.Clear();
    }
}
