using System.Globalization;
using DistTrainer.Cluster.DataPlane;
using DistTrainer.Coordinator.ParameterServer;
using DistTrainer.Coordinator.Tests.Actors;
using DistTrainer.Core.Checkpoints;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Training;
using Xunit;

namespace DistTrainer.Coordinator.Tests.ParameterServer;

/// <summary>Evaluation, checkpoint captures and export of the parameter server's weights after a step of SGD on the xor model.</summary>
public sealed class ModelSnapshotTests : IDisposable
{
    private readonly XorTraining _training = new();
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("model-snapshot-");
    private readonly StepApplier _applier;

    public ModelSnapshotTests() => _applier = new StepApplier(_training.Model, _training.Optimizer(), null, 1, TimeSpan.FromSeconds(30), new PayloadPool());

    public void Dispose()
    {
        _applier.Dispose();
        _training.Dispose();
        _directory.Delete(recursive: true);
    }

    private ModelSnapshot Snapshot(long? plannedSteps = null) => new(_applier, _training.Runner, _training.Data, plannedSteps);

    private string PathIn(string name) => Path.Combine(_directory.FullName, name);

    private void ApplyStep(long step) =>
        Assert.True(_applier.TryApply(CompleteStep.Of(_applier.Layout, step, _training.Result(0.25f * (step + 1))), out _, out _));

    private static float[] Download(Sequential model)
    {
        var parameters = new float[model.ParameterCount];
        model.Backend.Download(model.Parameters, parameters);
        return parameters;
    }

    [Fact]
    public void A_captured_checkpoint_holds_the_applied_weights_the_optimizers_steps_and_the_planned_total()
    {
        ApplyStep(0);
        string path = PathIn("model.safetensors");

        var content = Snapshot(plannedSteps: 40).Capture();
        ModelCheckpoint.Write(path, content);

        Assert.Equal(1, content.Step);
        var (parameters, steps) = Load(path);
        Assert.Equal(_applier.Parameters.ToArray(), parameters);
        Assert.Equal(1, steps);
        Assert.Equal(40, ModelCheckpoint.ReadPlannedSteps(path));
    }

    [Fact]
    public void A_capture_is_a_copy_that_later_steps_do_not_change()
    {
        ApplyStep(0);
        var content = Snapshot().Capture();
        var first = content.Tensors.Single(t => t.Name == "0.weight").Data.ToArray();

        ApplyStep(1);

        Assert.Equal(first, content.Tensors.Single(t => t.Name == "0.weight").Data);
        Assert.NotEqual(first, Snapshot().Capture().Tensors.Single(t => t.Name == "0.weight").Data);
    }

    [Fact]
    public void Evaluation_uses_the_applied_weights_and_is_null_without_a_test_set()
    {
        ApplyStep(0);
        using var expectedModel = new Sequential(_training.Model.Spec, _training.Model.Backend, _training.Data.Count);
        expectedModel.Backend.Upload(_applier.Parameters.ToArray(), expectedModel.Parameters);
        using var expectedRunner = new BatchRunner(expectedModel, XorTraining.Loss);

        Assert.Equal(expectedRunner.Evaluate(_training.Data), Snapshot().Evaluate());
        Assert.Null(new ModelSnapshot(_applier, _training.Runner, null, null).Evaluate());
    }

    [Fact]
    public void Export_writes_the_applied_weights_into_the_model_and_names_their_version()
    {
        ApplyStep(0);

        Assert.Equal(new ModelExported(1), Snapshot().Export());

        Assert.Equal(_applier.Parameters.ToArray(), Download(_training.Model));
        Assert.NotEqual(_training.InitialWeights, Download(_training.Model));
    }

    /// <summary>The weights a checkpoint holds, read into a fresh model, and the optimizer step written with them.</summary>
    private (float[] Parameters, long Steps) Load(string path)
    {
        using var loaded = new Sequential(_training.Model.Spec, _training.Model.Backend, _training.Data.Count);
        ModelCheckpoint.Load(path, loaded, null);
        return (Download(loaded), long.Parse(SafeTensorsFile.Read(path).Metadata["step"], CultureInfo.InvariantCulture));
    }
}
