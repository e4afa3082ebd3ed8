using DistTrainer.Checkpoints;
using DistTrainer.Core.Training;
using DistTrainer.Nn;
using DistTrainer.Training;
using Xunit;

namespace DistTrainer.Library.Tests.Training;

public sealed class TrainerTests
{
    [Fact]
    public void Fit_in_this_process_puts_the_weights_of_the_CLI_s_run_into_the_model_bit_for_bit()
    {
        using var run = new CliRun();
        using var model = CliRun.Model();
        var recorder = new TrainingRecorder();

        var outcome = new Trainer(run.Options).Fit(model, run.Train, observer: recorder);

        Assert.Null(outcome.Cluster);
        Assert.Equal(10, outcome.Result.Steps);
        Assert.Equal(CliRun.Epochs, recorder.Epochs.Count);
        using var cli = Checkpoint.LoadModel(run.TrainWithTheCli(), CliRun.ModelOptions);
        CliRun.AssertSameBits(cli, model);
    }

    [Fact]
    public void Fit_of_the_options_alone_saves_the_very_checkpoint_the_CLI_saves()
    {
        using var run = new CliRun();
        string path = Path.Combine(Path.GetTempPath(), $"disttrainer-trainer-{Guid.NewGuid():N}.safetensors");
        try
        {
            var outcome = new Trainer(run.Options with { Save = path }).Fit();

            Assert.Equal(10, outcome.Result.Steps);
            Assert.Equal(File.ReadAllBytes(run.TrainWithTheCli()), File.ReadAllBytes(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Fit_on_an_embedded_cluster_reaches_the_weights_of_one_process_to_float_rounding()
    {
        // No batch norm: the bias before one has a gradient of pure rounding noise, which Adam scales up to full steps.
        using var run = new CliRun();
        using var local = new Sequential(CliRun.ModelOptions, new Linear(16, 12), new Tanh(), new Dropout(0.25), new Linear(12, 4));
        using var clustered = new Sequential(CliRun.ModelOptions, new Linear(16, 12), new Tanh(), new Dropout(0.25), new Linear(12, 4));

        new Trainer(run.Options).Fit(local, run.Train);
        var options = run.Options;
        var outcome = new Trainer(options with { Workers = 2, Cluster = options.Cluster with { SynchronisedBatchNorm = true } }).Fit(clustered, run.Train);

        Assert.Equal(10, outcome.Cluster!.AppliedSteps.Count);
        foreach (var (name, tensor) in local.StateDict())
        {
            var expected = tensor.ToArray();
            var actual = clustered.StateDict()[name].ToArray();
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4 * Math.Max(1, Math.Abs(expected[i])), $"{name}[{i}]: {expected[i]} and {actual[i]}");
        }
    }
}
