using DistTrainer.Coordinator.Lab.Experiments;
using DistTrainer.Core.Compute.Cpu;
using DistTrainer.Core.Data;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Nn.Layers;
using Xunit;

namespace DistTrainer.Coordinator.Tests.Lab.Experiments;

public sealed class BatchNormModesTests : IDisposable
{
    private const int Rows = 12;
    private readonly CpuBackend _backend = new(1);
    private readonly Sequential _model;
    private readonly Dataset _data;

    public BatchNormModesTests()
    {
        _model = new Sequential(ModelSpec.Parse("linear:3:4,batchnorm:4,sigmoid,linear:4:2"), _backend, maxRows: Rows);
        _model.Initialize(seed: 7);
        var features = Enumerable.Range(0, Rows * 3).Select(i => (float)Math.Sin(i * 1.7) * (1 + i % 5)).ToArray();
        _data = new Dataset("rows", 3, features, Enumerable.Range(0, Rows).Select(i => i % 2).ToArray(), 2);
        // Running statistics other than the initial (0, 1), as training leaves them.
        _backend.Upload(features.AsSpan(0, Rows * 3), _model.Input(Rows));
        _model.Forward(new StepContext(true, 0, 0, 0), Rows);
    }

    [Fact]
    public void A_rows_training_mode_output_depends_on_its_batch_and_its_evaluation_mode_output_does_not()
    {
        var modes = new BatchNormModes(_model);
        int[] first = [0, 1, 2, 3];
        int[] second = [0, 5, 8, 11];

        var trainingA = modes.Outputs(_data, first, 4, training: true);
        var trainingB = modes.Outputs(_data, second, 4, training: true);
        var inferenceA = modes.Outputs(_data, first, 4, training: false);
        var inferenceB = modes.Outputs(_data, second, 4, training: false);

        Assert.True(Math.Abs(trainingA[0] - trainingB[0]) > 1e-3, $"row 0 in two batches: {trainingA[0]} and {trainingB[0]}");
        Assert.Equal(inferenceA[..2], inferenceB[..2]);
    }

    [Fact]
    public void Evaluation_mode_gives_each_row_the_same_outputs_in_any_batch_size()
    {
        var modes = new BatchNormModes(_model);
        var all = Enumerable.Range(0, Rows).ToArray();

        var single = modes.Outputs(_data, all, 1, training: false);
        var whole = modes.Outputs(_data, all, Rows, training: false);
        var odd = modes.Outputs(_data, all, 5, training: false);

        Assert.Equal(Rows * 2, single.Length);
        Assert.Equal(single, whole);
        Assert.Equal(single, odd);
    }

    [Fact]
    public void A_training_mode_pass_leaves_the_running_statistics_and_the_batch_count_as_they_were()
    {
        var before = new float[_model.BufferCount];
        _backend.Download(_model.Buffers, before);
        long tracked = _model.BatchNormLayers[0].Layer.BatchesTracked;

        new BatchNormModes(_model).Outputs(_data, Enumerable.Range(0, Rows).ToArray(), 4, training: true);

        var after = new float[_model.BufferCount];
        _backend.Download(_model.Buffers, after);
        Assert.Equal(before, after);
        Assert.Equal(tracked, _model.BatchNormLayers[0].Layer.BatchesTracked);
        Assert.Equal(1, tracked);
    }

    public void Dispose()
    {
        _model.Dispose();
        _backend.Dispose();
    }
}
