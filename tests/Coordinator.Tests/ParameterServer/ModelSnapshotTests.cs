using System.Globalization;
using DistTrainer.Cluster.Tests.Logging;
using DistTrainer.Coordinator.ParameterServer;
using DistTrainer.Coordinator.Tests.Actors;
using DistTrainer.Core.Checkpoints;
using DistTrainer.Core.Nn;
using DistTrainer.Core.Training;
using Serilog.Events;
using Xunit;

namespace DistTrainer.Coordinator.Tests.ParameterServer;

/// <summary>Evaluation, checkpoints and export of the parameter server's weights after a step of SGD on the xor model.</summary>
public sealed class ModelSnapshotTests : IDisposable
{
    private readonly XorTraining _training = new();
    private readonly CollectingSink _sink = new();
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("model-snapshot-");
    private readonly StepApplier _applier;

    public ModelSnapshotTests() => _applier = new StepApplier(_training.Model, _training.Optimizer(), null);

    public void Dispose()
    {
        _training.Dispose();
        _directory.Delete(recursive: true);
    }

    private ModelSnapshot Snapshot(ParameterServerSettings settings) =>
        new(_applier, _training.Runner, _training.Data, settings, _sink.CreateLogger());

    private string PathIn(string name) => Path.Combine(_directory.FullName, name);

    private void ApplyStep(long step) =>
        Assert.True(_applier.TryApply(CompleteStep.Of(_applier.Layout, step, _training.Result(0.25f * (step + 1))), out _, out _));

    /// <summary>A path that cannot be written: its directory is a file.</summary>
    private string Unwritable()
    {
        string file = PathIn("not-a-directory");
        File.WriteAllText(file, "");
        return Path.Combine(file, "model.safetensors");
    }

    private static float[] Download(Sequential model)
    {
        var parameters = new float[model.ParameterCount];
        model.Backend.Download(model.Parameters, parameters);
        return parameters;
    }

    [Fact]
    public void Save_writes_the_applied_weights_and_the_optimizers_steps()
    {
        ApplyStep(0);
        string path = PathIn("model.safetensors");

        Assert.Equal(new CheckpointSaved(path, 1, null), Snapshot(new(null, null)).Save(path));

        var (parameters, steps) = Load(path);
        Assert.Equal(_applier.Parameters.ToArray(), parameters);
        Assert.Equal(1, steps);
        Assert.Contains(_sink.Events, e => e.Level == LogEventLevel.Information
            && e.MessageTemplate.Text == "Checkpoint {Path} written at step {Step}" && e.Properties["Step"].ToString() == "1");
    }

    [Fact]
    public void A_checkpoint_that_cannot_be_written_is_an_answer_with_its_reason()
    {
        string path = Unwritable();

        var saved = Snapshot(new(null, null)).Save(path);

        Assert.Equal((path, 0L), (saved.Path, saved.Step));
        Assert.False(string.IsNullOrEmpty(saved.Error));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void A_periodic_checkpoint_is_written_only_at_versions_it_is_due()
    {
        string path = PathIn("periodic.safetensors");
        var snapshot = Snapshot(new(2, path));

        ApplyStep(0);
        snapshot.SaveIfDue(0);
        Assert.False(File.Exists(path));

        ApplyStep(1);
        snapshot.SaveIfDue(1);
        Assert.True(File.Exists(path));
        Assert.Equal(2, Load(path).Steps);
    }

    [Fact]
    public void A_periodic_checkpoint_that_fails_is_logged_and_training_goes_on()
    {
        string path = Unwritable();
        ApplyStep(0);

        Snapshot(new(1, path)).SaveIfDue(0);

        var failed = Assert.Single(_sink.Events, e => e.Level == LogEventLevel.Error);
        Assert.Equal("Step {Step}: checkpoint {Path} failed: {Reason}", failed.MessageTemplate.Text);
        Assert.Equal("1", failed.Properties["Step"].ToString());
    }

    [Fact]
    public void Evaluation_uses_the_applied_weights_and_is_null_without_a_test_set()
    {
        ApplyStep(0);
        using var expectedModel = new Sequential(_training.Model.Spec, _training.Model.Backend, _training.Data.Count);
        expectedModel.Backend.Upload(_applier.Parameters.ToArray(), expectedModel.Parameters);
        using var expectedRunner = new BatchRunner(expectedModel, XorTraining.Loss);

        Assert.Equal(expectedRunner.Evaluate(_training.Data), Snapshot(new(null, null)).Evaluate());
        Assert.Null(new ModelSnapshot(_applier, _training.Runner, null, new(null, null), _sink.CreateLogger()).Evaluate());
    }

    [Fact]
    public void Export_writes_the_applied_weights_into_the_model_and_names_their_version()
    {
        ApplyStep(0);

        Assert.Equal(new ModelExported(1), Snapshot(new(null, null)).Export());

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
