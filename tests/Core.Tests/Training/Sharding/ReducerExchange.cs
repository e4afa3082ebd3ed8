using DistTrainer.Core.Nn.Layers;
using DistTrainer.Core.Training.Sharding;

namespace DistTrainer.Core.Tests.Training.Sharding;

/// <summary>
/// Synchronised batch norm in one process, for tests: shards computed on their own threads meet in
/// one <see cref="BatchStatisticsReducer{TPeer}"/>, as they would at the parameter server. A shard
/// whose offer is still pending blocks on an event of its own until the last shard completes the
/// reduction (or a new attempt abandons it, or the timeout passes).
/// </summary>
internal sealed class ReducerExchange(IReadOnlyList<int> widths)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly BatchStatisticsReducer<Waiter> _reducer = new(widths);
    private readonly object _gate = new();

    /// <summary>Starts a step or an attempt of it; shards still waiting on the previous one throw <see cref="OperationCanceledException"/>.</summary>
    public void Begin(long step, int attempt, IReadOnlyList<Shard> shards)
    {
        lock (_gate)
        {
            foreach (var waiter in _reducer.Begin(step, attempt, shards)) waiter.Abandon();
        }
    }

    /// <summary>An exchange for one model; <see cref="Participant.Assign"/> tells it which shard it computes next.</summary>
    public Participant Join() => new(this);

    private ReductionOffer Reduce(StatisticsKind kind, Participant participant, int layer, int rows, float[] payload)
    {
        var waiter = new Waiter();
        lock (_gate)
        {
            var offer = _reducer.Offer(kind, participant.Step, participant.Attempt, participant.Shard.Id, layer, rows, payload,
                waiter, out var answer);
            if (offer.State == ReductionState.Stale)
                throw new OperationCanceledException($"shard {participant.Shard.Id} of step {participant.Step} attempt {participant.Attempt} is stale");
            foreach (var peer in answer) peer.Answer(offer);
        }
        return waiter.Wait($"{kind} of batch-norm layer {layer}, shard {participant.Shard.Id} of step {participant.Step}");
    }

    internal sealed class Participant(ReducerExchange exchange) : IBatchStatisticsExchange
    {
        public long Step { get; private set; } = -1;
        public int Attempt { get; private set; }
        public Shard Shard { get; private set; }

        public void Assign(long step, int attempt, Shard shard)
        {
            Step = step;
            Attempt = attempt;
            Shard = shard;
        }

        public int ReduceMoments(int layer, int rows, Span<float> mean, Span<float> variance)
        {
            var reduced = exchange.Reduce(StatisticsKind.Moments, this, layer, rows, [.. mean, .. variance]);
            reduced.Values.AsSpan(0, mean.Length).CopyTo(mean);
            reduced.Values.AsSpan(mean.Length, variance.Length).CopyTo(variance);
            return reduced.Rows;
        }

        public void ReduceGradientSums(int layer, Span<float> gammaGradient, Span<float> betaGradient)
        {
            var reduced = exchange.Reduce(StatisticsKind.GradientSums, this, layer, Shard.Count, [.. gammaGradient, .. betaGradient]);
            reduced.Values.AsSpan(0, gammaGradient.Length).CopyTo(gammaGradient);
            reduced.Values.AsSpan(gammaGradient.Length, betaGradient.Length).CopyTo(betaGradient);
        }
    }

    private sealed class Waiter
    {
        private readonly ManualResetEventSlim _done = new();
        private ReductionOffer _result;
        private bool _abandoned;

        public void Answer(ReductionOffer result)
        {
            _result = result;
            _done.Set();
        }

        public void Abandon()
        {
            _abandoned = true;
            _done.Set();
        }

        public ReductionOffer Wait(string what)
        {
            if (!_done.Wait(Timeout)) throw new TimeoutException($"{what}: no reduction within {Timeout.TotalSeconds} s");
            if (_abandoned) throw new OperationCanceledException($"{what} was abandoned for a new attempt");
            return _result;
        }
    }
}
