using DistTrainer.Core.Compute;
using DistTrainer.Core.Compute.Reference;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Nn.Layers;
using DistTrainer.Core.Tests.Training.Sharding;
using DistTrainer.Core.Training.Sharding;
using Xunit;

namespace DistTrainer.Core.Tests.Nn.Layers;

/// <summary>
/// Synchronised batch norm: a batch of 8 rows split into shards of 3 and 5, each on its own model
/// and thread, exchanging statistics through a <see cref="ReducerExchange"/>, must give the gradients
/// of the unsplit batch. Everything runs on the double-precision reference backend; only the
/// exchanged statistics pass through float.
/// </summary>
public class BatchNormLayerTests
{
    private const string Layers = "linear:5:6,batchnorm:6,tanh,linear:6:4,batchnorm:4";
    private const int Rows = 8;
    private static readonly Shard[] Shards = [new(0, 0, 3), new(1, 3, 5)];
    private static readonly StepContext Context = new(true, 7, 42, 0);

    /// <summary>One model per shard (or one for the whole batch), all with the same weights, inputs and targets.</summary>
    private sealed class Batch : IDisposable
    {
        private readonly ReferenceBackend[] _backends;
        private readonly Sequential[] _models;
        private readonly DeviceArray[] _targets;
        private readonly ReducerExchange? _exchange;
        private readonly ReducerExchange.Participant[] _participants;
        private readonly Shard[] _shards;
        private long _step;

        public Batch(Shard[] shards, bool synchronised)
        {
            _shards = shards;
            var spec = ModelSpec.Parse(Layers);
            _backends = shards.Select(_ => new ReferenceBackend()).ToArray();
            _models = shards.Select((s, i) => new Sequential(spec, _backends[i], s.Count)).ToArray();
            _exchange = synchronised ? new ReducerExchange([6, 4]) : null;
            _participants = _exchange is null ? [] : shards.Select(_ => _exchange.Join()).ToArray();
            _targets = new DeviceArray[shards.Length];
            var random = new Random(3);
            var inputs = Enumerable.Range(0, Rows * spec.InputWidth).Select(_ => random.NextDouble() * 4 - 2).ToArray();
            var targets = Enumerable.Range(0, Rows).Select(_ => (double)random.Next(spec.OutputWidth)).ToArray();
            for (int i = 0; i < shards.Length; i++)
            {
                _models[i].Initialize(11);
                _models[i].SynchroniseBatchNorm(_exchange is null ? null : _participants[i]);
                inputs.AsSpan(shards[i].Start * spec.InputWidth, shards[i].Count * spec.InputWidth)
                    .CopyTo(ReferenceBackend.View(_models[i].Input(shards[i].Count)));
                _targets[i] = _backends[i].Allocate(shards[i].Count);
                targets.AsSpan(shards[i].Start, shards[i].Count).CopyTo(ReferenceBackend.View(_targets[i].All));
            }
        }

        public int ParameterCount => _models[0].ParameterCount;

        /// <summary>The mean cross-entropy of the whole batch; with <paramref name="backward"/>, the gradients too.</summary>
        public double Loss(bool backward)
        {
            long step = ++_step;
            _exchange?.Begin(step, 0, _shards);
            var losses = new double[_shards.Length];
            Concurrently.Run(_shards.Length, i =>
            {
                if (_exchange is not null) _participants[i].Assign(step, 0, _shards[i]);
                int rows = _shards[i].Count;
                var output = _models[i].Forward(Context with { RowOffset = _shards[i].Start }, rows);
                losses[i] = _backends[i].Loss(LossKind.CrossEntropy, output, _targets[i].All, rows, 4, 1f / Rows, _models[i].OutputGradient(rows));
                if (backward) _models[i].Backward(rows);
            });
            return losses.Sum() / Rows;
        }

        /// <summary>The sum of the shards' gradients, as the parameter server adds them.</summary>
        public double[] Gradients()
        {
            var sum = new double[ParameterCount];
            foreach (var model in _models)
            {
                var gradients = ReferenceBackend.View(model.Gradients);
                for (int p = 0; p < sum.Length; p++) sum[p] += gradients[p];
            }
            return sum;
        }

        public void Nudge(int parameter, double delta)
        {
            foreach (var model in _models) ReferenceBackend.View(model.Parameters)[parameter] += delta;
        }

        public void Dispose()
        {
            foreach (var target in _targets) target.Dispose();
            foreach (var model in _models) model.Dispose();
        }
    }

    private static double[] Gradients(Shard[] shards, bool synchronised)
    {
        using var batch = new Batch(shards, synchronised);
        batch.Loss(backward: true);
        return batch.Gradients();
    }

    [Fact]
    public void Synchronised_shards_give_the_gradients_of_the_unsplit_batch()
    {
        var unsplit = Gradients([new Shard(0, 0, Rows)], synchronised: false);

        var split = Gradients(Shards, synchronised: true);

        // The statistics pass through float: differences near 1e-7 of the largest gradient are rounding.
        double largest = unsplit.Max(Math.Abs);
        Assert.True(largest > 1e-2, "every gradient is ~0, the comparison would prove nothing");
        for (int p = 0; p < unsplit.Length; p++)
            Assert.True(Math.Abs(split[p] - unsplit[p]) <= 1e-6 * largest + 1e-5 * Math.Abs(unsplit[p]),
                $"parameter {p}: split {split[p]:G10} vs unsplit {unsplit[p]:G10}");
    }

    [Fact]
    public void Shards_normalised_on_their_own_do_not()
    {
        var unsplit = Gradients([new Shard(0, 0, Rows)], synchronised: false);

        var local = Gradients(Shards, synchronised: false);

        Assert.Contains(Enumerable.Range(0, unsplit.Length), p => Math.Abs(local[p] - unsplit[p]) > 1e-2);
    }

    [Fact]
    public void Synchronised_shards_back_propagate_the_derivative_of_the_batch_loss()
    {
        // The exchanged statistics are floats, so the loss is smooth only to ~1e-7: a step of 1e-3
        // keeps that noise near 1e-4 while its own truncation error stays near 1e-6.
        const double h = 1e-3;
        using var batch = new Batch(Shards, synchronised: true);
        batch.Loss(backward: true);
        var analytic = batch.Gradients();

        for (int p = 0; p < batch.ParameterCount; p++)
        {
            batch.Nudge(p, h);
            double plus = batch.Loss(backward: false);
            batch.Nudge(p, -2 * h);
            double minus = batch.Loss(backward: false);
            batch.Nudge(p, h);
            double numeric = (plus - minus) / (2 * h);
            Assert.True(Math.Abs(numeric - analytic[p]) <= 5e-4 + 1e-3 * Math.Abs(analytic[p]),
                $"parameter {p}: analytic {analytic[p]:G10} vs numeric {numeric:G10}");
        }
    }
}
